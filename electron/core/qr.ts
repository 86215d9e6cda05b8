// QR codes for the LAN links, tokens and pushes. qrcode (with pngjs: ~60 modules) loads on the first QR code, not at
// start-up (#17, bench/cold-start.ts).
export const qrcode = () => import('qrcode').then((m) => m.default);
