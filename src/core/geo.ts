/**
 * Coordinates from the outside (a Telegram pin, the terminal's `/loc`, a WhatsApp
 * location) are checked once, where they enter: only real ones reach the features.
 */

/**
 * Real coordinates: numbers (not text), finite, latitude within ±90 and longitude within
 * ±180, and not (0, 0), the "null island" a phone without a GPS fix sends.
 */
export function validCoordinates(latitude: unknown, longitude: unknown): latitude is number {
  return (
    typeof latitude === "number" && typeof longitude === "number" &&
    Number.isFinite(latitude) && Number.isFinite(longitude) &&
    Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 &&
    !(latitude === 0 && longitude === 0)
  );
}
