// The points of the balance chart: each movement's balance after it, oldest first, scaled into a box.
export interface BalancePoint {
  at: string;
  totalMinor: number;
}

export interface Scaled {
  x: number;
  y: number;
}

/** Scale points into a ``width`` × ``height`` box (y grows downwards, zero at the bottom). */
export function scalePoints(points: BalancePoint[], width: number, height: number): Scaled[] {
  if (points.length === 0) return [];
  const times = points.map((point) => new Date(point.at).getTime());
  const first = Math.min(...times);
  const span = Math.max(...times) - first || 1;
  const top = Math.max(...points.map((point) => point.totalMinor), 1);
  return points.map((point, index) => ({
    x: points.length === 1 ? width / 2 : ((times[index] - first) / span) * width,
    y: height - (Math.max(point.totalMinor, 0) / top) * height,
  }));
}
