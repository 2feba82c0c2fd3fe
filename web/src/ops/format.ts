// How the operations page writes a panel's number in its unit, and draws a series' recent values as a
// sparkline (an SVG path: no chart library for a few dozen points).

export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  switch (unit) {
    case "bytes": {
      const units = ["B", "KiB", "MiB", "GiB", "TiB"];
      let v = value;
      let i = 0;
      while (Math.abs(v) >= 1024 && i < units.length - 1) {
        v /= 1024;
        i += 1;
      }
      return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
    }
    case "seconds":
      if (value === 0) return "0 s";
      if (Math.abs(value) < 1) return `${Math.round(value * 1000)} ms`;
      if (Math.abs(value) < 120) return `${value.toFixed(value < 10 ? 2 : 1)} s`;
      return `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
    case "per_second":
      return `${value >= 100 ? Math.round(value).toLocaleString("en") : value.toFixed(value >= 10 ? 1 : 2)}/s`;
    default:
      return Number.isInteger(value) ? value.toLocaleString("en") : value.toFixed(2);
  }
}

/** The SVG path of ``values`` in a ``width`` x ``height`` box (the lowest value at the bottom, or the
 *  middle when all are equal); gaps (null) break the line. */
export function sparkPath(values: (number | null)[], width = 100, height = 24): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length < 2) return "";
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  const step = width / Math.max(1, values.length - 1);
  let path = "";
  let drawing = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      drawing = false;
      return;
    }
    const y = high === low ? height / 2 : height - ((v - low) / (high - low)) * height;
    path += `${drawing ? "L" : "M"}${(i * step).toFixed(1)} ${y.toFixed(1)} `;
    drawing = true;
  });
  return path.trim();
}

/** a span of seconds in words: ``45 s``, ``5 min`` */
export function formatSpan(seconds: number): string {
  return seconds < 60 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}
