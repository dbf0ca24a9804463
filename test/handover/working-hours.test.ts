/** Working-hours arithmetic and its configuration. */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseWorkingHours, type WorkingHours } from "../../src/config.ts";
import { formatWindow } from "../../src/features/handover/format.ts";
import { addWorkingTime } from "../../src/features/handover/working-hours.ts";

const HOUR = 3600_000;
const PK: WorkingHours = { days: [1, 2, 3, 4, 5, 6], startMinute: 9 * 60, endMinute: 18 * 60, timeZone: "Asia/Karachi" };
const due = (utc: string, hours: number, wh = PK) => addWorkingTime(new Date(utc), hours * HOUR, wh).toISOString();

describe("addWorkingTime", () => {
  it("counts inside the window on a working day", () => {
    // Tuesday 10:00 PKT + 4 h = 14:00 PKT
    expect(due("2026-12-01T05:00:00Z", 4)).toBe("2026-12-01T09:00:00.000Z");
  });
  it("carries what is left of the day into the next working morning", () => {
    // Tuesday 16:00 PKT: 2 h today, 2 h on Wednesday from 09:00 → 11:00 PKT
    expect(due("2026-12-01T11:00:00Z", 4)).toBe("2026-12-02T06:00:00.000Z");
  });
  it("skips Sunday (Saturday evening → Monday)", () => {
    expect(due("2026-12-05T11:00:00Z", 4)).toBe("2026-12-07T06:00:00.000Z");
    // After hours on Saturday: all four hours on Monday
    expect(due("2026-12-05T15:00:00Z", 4)).toBe("2026-12-07T08:00:00.000Z");
  });
  it("starts at the window's opening when asked before it (03:00 PKT)", () => {
    expect(due("2026-11-30T22:00:00Z", 1)).toBe("2026-12-01T05:00:00.000Z");
  });
  it("spans several days for long limits", () => {
    // 20 working hours from Tuesday 09:00 PKT: Tue 9 h, Wed 9 h, Thu 2 h → Thu 11:00 PKT
    expect(due("2026-12-01T04:00:00Z", 20)).toBe("2026-12-03T06:00:00.000Z");
  });
  it("works in another zone, and with no working days it is plain time", () => {
    const london: WorkingHours = { days: [1, 2, 3, 4, 5], startMinute: 9 * 60, endMinute: 17 * 60, timeZone: "Europe/London" };
    // Friday 4 Dec 2026 16:00 London + 2 h → Monday 10:00
    expect(due("2026-12-04T16:00:00Z", 2, london)).toBe("2026-12-07T10:00:00.000Z");
    expect(due("2026-12-06T10:00:00Z", 4, { ...PK, days: [] })).toBe("2026-12-06T14:00:00.000Z");
  });
});

describe("HANDOVER_* configuration", () => {
  it("defaults to 4 working hours Mon–Sat 09:00–18:00 Asia/Karachi and a 24-hour silence", () => {
    expect(loadConfig({}).handover).toEqual({ pickupHours: 4, idleHours: 24, historyHours: 48, workingHours: PK });
  });
  it("reads day lists and ranges", () => {
    expect(parseWorkingHours("Mon,Wed,Fri 10:00-16:30")).toEqual({ days: [1, 3, 5], startMinute: 600, endMinute: 990 });
    expect(parseWorkingHours("sat-mon 08:00-12:00")).toEqual({ days: [0, 1, 6], startMinute: 480, endMinute: 720 });
    expect(parseWorkingHours("Mon-Fri 18:00-09:00")).toBeNull();
    expect(parseWorkingHours("weekdays")).toBeNull();
  });
  it("refuses bad values with the field named", () => {
    for (const env of [{ HANDOVER_WORKING_HOURS: "Mon-Fri 9-5" }, { HANDOVER_TIMEZONE: "Mars/Olympus" }, { HANDOVER_PICKUP_HOURS: "0" }, { HANDOVER_IDLE_HOURS: "soon" }]) {
      const field = Object.keys(env)[0]!;
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(new RegExp(field));
    }
  });
  it("shows the window in the reader's language", () => {
    expect(formatWindow(PK, "en")).toBe("Mon–Sat 09:00–18:00");
    expect(formatWindow(PK, "ur-Latn")).toBe("Mon–Sat 09:00–18:00");
    expect(formatWindow(PK, "ur")).toBe("پیر–ہفتہ 09:00–18:00");
    expect(formatWindow({ ...PK, days: [1, 3, 5] }, "en")).toBe("Mon, Wed, Fri 09:00–18:00");
  });
});
