/** The signing secret: generate (new subscriptions), reveal, copy and rotate (saved ones). */
import { useState } from 'react';
import { type FormState, generateSecret } from '../form-state.ts';
import { useSession } from '../session.tsx';
import { CopyButton, ErrorBox } from '../ui.tsx';

const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));

export function SecretField(props: {
  tid: string;
  eid: string | null;
  form: FormState;
  setForm(update: (f: FormState) => FormState): void;
}) {
  const { client } = useSession();
  const [revealed, setRevealed] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { tid, eid, form, setForm } = props;

  if (eid === null) {
    return (
      <div>
        <label htmlFor="secret">Signing secret</label>
        <div className="row">
          <input
            id="secret"
            value={form.secret}
            onChange={(e) => setForm((f) => ({ ...f, secret: e.target.value }))}
            placeholder="left empty, Herald generates one"
          />
          <button
            type="button"
            className="secondary"
            onClick={() => setForm((f) => ({ ...f, secret: generateSecret(f.scheme, randomBytes) }))}
          >
            Generate secret
          </button>
          {form.secret && <CopyButton text={form.secret} label="Copy secret" />}
        </div>
      </div>
    );
  }

  const reveal = async () => {
    setError(null);
    try {
      setRevealed(revealed === null ? (await client.getEndpointSecret(tid, eid)).secret : null);
    } catch (err) {
      setError(err);
    }
  };
  const rotate = async () => {
    if (!window.confirm('Rotate the secret? The old one keeps signing for 24 hours, next to the new one.'))
      return;
    setError(null);
    try {
      const rotated = await client.rotateEndpointSecret(tid, eid);
      setRevealed(rotated.secret);
      setNote(
        rotated.previousExpiresAt
          ? `Rotated. The previous secret keeps signing until ${new Date(rotated.previousExpiresAt).toLocaleString()}.`
          : 'Rotated.',
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div>
      <label htmlFor="secret-shown">Signing secret</label>
      <div className="row">
        <input id="secret-shown" readOnly value={revealed ?? '••••••••••••••••••••'} />
        <button type="button" className="secondary" onClick={reveal}>
          {revealed === null ? 'Reveal secret' : 'Hide secret'}
        </button>
        {revealed !== null && <CopyButton text={revealed} label="Copy secret" />}
        <button type="button" className="secondary" onClick={rotate}>
          Rotate secret
        </button>
      </div>
      {note && <p className="notice">{note}</p>}
      <ErrorBox error={error} />
    </div>
  );
}
