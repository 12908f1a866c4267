// "Use on another device": a link, and its QR code, that carries the name and its secret in the
// URL fragment (browsers never send a fragment to a server). Opened on a phone, it enters the room
// as the same person: same name, same trip code, and their messages stay editable there.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { encode } from 'uqr';
import { deviceLink } from '../identity';

export function DeviceLink({ roomId, name, secret, onClose }: { roomId: number; name: string; secret: string; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [copied, setCopied] = useState(false);
  const link = deviceLink(roomId, name, secret);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <dialog ref={dialog} class="device-link" aria-labelledby="device-title" onClose={onClose}>
      <div class="dialog-head">
        <h2 id="device-title">Use on another device</h2>
        <button type="button" class="icon-btn" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      <p class="hint">
        Open this link or scan the code on your phone or another computer to be “{name}” there too. It holds your name’s
        secret: share it with nobody else, or they can speak and edit as you. A private room still asks for its password.
      </p>
      <QrCode text={link} />
      <label class="field" for="device-url">
        <span class="label">Link</span>
        <input id="device-url" readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div class="actions">
        <button type="button" class="btn primary" onClick={copy}>
          {copied ? 'Copied' : 'Copy link'}
        </button>
      </div>
    </dialog>
  );
}

/** The QR code as SVG squares built here, not markup from a string. */
function QrCode({ text }: { text: string }) {
  const qr = useMemo(() => encode(text, { ecc: 'M', border: 2 }), [text]);
  const cells: string[] = [];
  qr.data.forEach((row, y) => row.forEach((dark, x) => dark && cells.push(`M${x} ${y}h1v1h-1z`)));
  return (
    <svg class="qr" role="img" aria-label="QR code of the link" viewBox={`0 0 ${qr.size} ${qr.size}`} width="220" height="220" shape-rendering="crispEdges">
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={cells.join('')} fill="#000" />
    </svg>
  );
}
