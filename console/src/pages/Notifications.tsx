// Notifications (seed 003): renewal reminders on or off with their lead times (up to two months),
// the automatic-renewal notice, and each e-mail category; every change is saved at once.
import { useState } from "react";
import { Checkbox, ErrorNote, Field, Loading, Notice, useAction } from "../components/ui";
import { type MessageKey, useI18n } from "../i18n";
import { call } from "../lib/api";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { parseLeadDays } from "../lib/validate";

interface Reminders {
  reminders_enabled: boolean;
  lead_days: number[];
  auto_renewal_notice: boolean;
}

interface Choice {
  category: string;
  enabled: boolean;
  always_sent: boolean;
}

export function NotificationsPage() {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  return (
    <>
      <h1>{t("notifications.title")}</h1>
      <p>{t("notifications.intro")}</p>
      <RemindersSection />
      <ChoicesSection title={t("notifications.organisation")} path={`/v1/organisations/${organisationId}/notification-preferences`} />
      <ChoicesSection title={t("notifications.mine")} path="/v1/users/me/notification-preferences" />
    </>
  );
}

function RemindersSection() {
  const organisationId = useOrganisationId();
  const path = `/v1/organisations/${organisationId}/reminder-preferences`;
  const loaded = useLoad(() => call<Reminders>("billing", path), [path]);
  return (
    <>
      <Loading when={loaded.loading && !loaded.data} />
      <ErrorNote error={loaded.error} />
      {loaded.data && <RemindersForm path={path} initial={loaded.data} />}
    </>
  );
}

function RemindersForm({ path, initial }: { path: string; initial: Reminders }) {
  const { t } = useI18n();
  const [prefs, setPrefs] = useState(initial);
  const [days, setDays] = useState(initial.lead_days.join(", "));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  async function save(next: Reminders) {
    setPrefs(next);
    setSaved(false);
    const stored = await action.run(() => call<Reminders>("billing", path, { method: "PUT", body: next }));
    if (stored) setSaved(true);
  }

  function changeDays(text: string) {
    setDays(text);
    const parsed = parseLeadDays(text);
    if (parsed === null || parsed.length === 0) return setInvalid(t("notifications.leadInvalid"));
    setInvalid(null);
    void save({ ...prefs, lead_days: parsed });
  }

  return (
    <section aria-labelledby="reminders-title" className="panel">
      <h2 id="reminders-title">{t("category.renewal_reminders")}</h2>
      <Checkbox label={t("notifications.reminders")} checked={prefs.reminders_enabled} onChange={(value) => save({ ...prefs, reminders_enabled: value })} />
      {prefs.reminders_enabled && <Field label={t("notifications.leadDays")} value={days} onChange={changeDays} error={invalid} inputMode="numeric" />}
      <Checkbox label={t("notifications.autoRenewal")} checked={prefs.auto_renewal_notice} onChange={(value) => save({ ...prefs, auto_renewal_notice: value })} />
      <ErrorNote error={action.error} />
      {saved && <Notice>{t("app.saved")}</Notice>}
    </section>
  );
}

function ChoicesSection({ title, path }: { title: string; path: string }) {
  const { t } = useI18n();
  const choices = useLoad(() => call<Choice[]>("notify", path), [path]);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  async function toggle(choice: Choice, enabled: boolean) {
    setSaved(false);
    if (await action.run(() => call("notify", `${path}/${choice.category}`, { method: "PUT", body: { enabled } }))) setSaved(true);
    choices.reload();
  }
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      <ErrorNote error={choices.error ?? action.error} />
      {(choices.data ?? []).map((choice) =>
        choice.always_sent ? (
          <p key={choice.category}>
            {t(`category.${choice.category}` as MessageKey)}: {t("notifications.always")}
          </p>
        ) : (
          <Checkbox key={choice.category} label={t(`category.${choice.category}` as MessageKey)} checked={choice.enabled} onChange={(value) => toggle(choice, value)} />
        ),
      )}
      {saved && <Notice>{t("app.saved")}</Notice>}
    </section>
  );
}
