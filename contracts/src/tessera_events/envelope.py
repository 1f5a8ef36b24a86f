"""The CloudEvents 1.0 envelope every Tessera event travels in."""

from datetime import datetime
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from tessera_events.topics import Topic


class EventData(BaseModel):
    """Base of every event's ``data``: a versioned, immutable schema.

    Subclasses name their CloudEvents ``type`` (ending in the schema version), the topic they
    travel on, and the field holding the aggregate id that becomes the record key and subject.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    EVENT_TYPE: ClassVar[str]
    TOPIC: ClassVar[Topic]
    KEY_FIELD: ClassVar[str]

    def aggregate_id(self) -> str:
        """The id of the aggregate this event is about: the record key and the envelope subject."""
        return str(getattr(self, self.KEY_FIELD))


DataT = TypeVar("DataT", bound=EventData)


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 envelope in structured JSON form."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: UUID = Field(description="Unique per event; consumers deduplicate on it.")
    source: str = Field(description="URI-reference of the producing service, e.g. /tessera/billing.")
    type: str = Field(description="Event type, ending in its schema version, e.g. ...PayerReassigned.v1.")
    time: AwareDatetime = Field(description="When the change happened, UTC.")
    subject: str = Field(description="Id of the aggregate the event is about; also the record key.")
    datacontenttype: Literal["application/json"] = "application/json"
    data: DataT

    @model_validator(mode="after")
    def _names_its_data(self) -> Self:
        """The type must be the data's event type and the subject its aggregate id (the record key)."""
        event_type = getattr(type(self.data), "EVENT_TYPE", None)
        if self.type != event_type:
            raise ValueError(f"type {self.type!r} is not the data's event type {event_type!r}")
        if self.subject != self.data.aggregate_id():
            raise ValueError(
                f"subject {self.subject!r} is not the data's {self.data.KEY_FIELD} "
                f"{self.data.aggregate_id()!r}"
            )
        return self

    def to_json(self) -> bytes:
        """The envelope as JSON, with every field of the concrete data schema."""
        return self.model_dump_json(serialize_as_any=True).encode()


class RawCloudEvent(BaseModel):
    """The envelope before its data is checked against the schema its type names."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"]
    id: UUID
    source: str
    type: str
    time: datetime
    subject: str
    datacontenttype: str = "application/json"
    data: dict[str, Any]
