/** Types for qrcode-terminal 0.12 (it ships none). */
declare module "qrcode-terminal" {
  const qrcode: {
    generate(input: string, options: { small?: boolean }, callback: (art: string) => void): void;
    generate(input: string, callback?: (art: string) => void): void;
    setErrorLevel(level: "L" | "M" | "Q" | "H"): void;
  };
  export default qrcode;
}
