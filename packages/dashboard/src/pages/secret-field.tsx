/**
 * The Security section: the signing secret (generate for a new
 * subscription; reveal, copy and rotate a saved one), the signature scheme
 * and the ownership challenge's shape. A new subscription's secret is shown
 * once, right after it is created (`CreatedSecret`). In the portal the saved
 * secret is not revealed again: rotating makes a new one, shown once.
 */
import { useEffect, useRef, useState } from 'react';
import type { SignatureScheme } from '../../../sdk/src/client/types.ts';
import type { Show } from '../form-sections.ts';
import type { FormState } from '../form-state.ts';
import { useSession } from '../session.tsx';
import { CopyButton, ErrorBox } from '../ui.tsx';
import { Field, type SetForm } from './delivery-fields.tsx';

const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** A fresh secret of the scheme's kind: `whsec_` + base64 for Standard Webhooks, hex otherwise. */
export function generateSecret(scheme: SignatureScheme, randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(24);
  if (scheme === 'standard-webhooks') {
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return `whsec_${btoa(binary)}`;
  }
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function SecretField(props: { tid: string; eid: string | null; form: FormState; setForm: SetForm }) {
  const { client, portal } = useSession();
  const [revealed, setRevealed] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { tid, eid, form, setForm } = props;

  if (eid === null) {
    return (
      <div>
        <label htmlFor="secret">Signing secret (optional)</label>
        <div className="row">
          <input
            id="secret"
            value={form.secret}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setForm((f) => ({ ...f, secret: e.target.value }))}
            placeholder="leave empty to have one generated"
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
      const until = rotated.previousExpiresAt
        ? ` The previous secret keeps signing until ${new Date(rotated.previousExpiresAt).toLocaleString()}.`
        : '';
      setNote(`Rotated.${until}${portal ? " Copy the new secret now: you won't see it again." : ''}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div>
      <label htmlFor="secret-shown">Signing secret</label>
      <div className="row">
        <input id="secret-shown" readOnly value={revealed ?? '••••••••••••••••••••'} />
        {!portal && (
          <button type="button" className="secondary" onClick={reveal}>
            {revealed === null ? 'Reveal secret' : 'Hide secret'}
          </button>
        )}
        {revealed !== null && <CopyButton text={revealed} label="Copy secret" />}
        <button type="button" className="secondary" onClick={rotate}>
          Rotate secret
        </button>
      </div>
      {note && (
        <p className="notice" role="status">
          {note}
        </p>
      )}
      <ErrorBox error={error} />
    </div>
  );
}

/** Right after creating: the secret, once, with a copy button and the warning that it is not shown again. */
export function CreatedSecret({ secret, onDone }: { secret: string; onDone(): void }) {
  const { portal } = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="panel created-secret" aria-labelledby="created-secret-title">
      <h2 id="created-secret-title" tabIndex={-1} ref={heading}>
        Subscription created: copy its signing secret
      </h2>
      <p>
        Your receiver checks each webhook's signature with this secret. Store it where your receiver reads its
        configuration.{' '}
        <strong>
          {portal
            ? "You won't see it again: if you lose it, rotate the secret to get a new one."
            : 'It is not shown here again (Reveal secret in the Security section shows it to operators).'}
        </strong>
      </p>
      <label htmlFor="created-secret">Signing secret</label>
      <div className="row">
        <input id="created-secret" readOnly value={secret} spellCheck={false} />
        <CopyButton text={secret} label="Copy secret" />
        <button type="button" className="secondary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}

export function SecurityFields({ form, setForm, show }: { form: FormState; setForm: SetForm; show: Show }) {
  const set =
    <K extends keyof FormState>(key: K) =>
    (value: FormState[K]) =>
      setForm((f) => ({ ...f, [key]: value }));
  return (
    <>
      {show('signature') && (
        <div className="row">
          <Field id="scheme" label="Signature scheme">
            <select
              id="scheme"
              value={form.scheme}
              onChange={(e) => set('scheme')(e.target.value as FormState['scheme'])}
            >
              <option value="standard-webhooks">Standard Webhooks (webhook-signature)</option>
              <option value="hmac-sha256">HMAC-SHA256 in a header of your choice</option>
              <option value="verification-key">Verification key (a shared key in a header or the URL)</option>
            </select>
          </Field>
          {form.scheme !== 'standard-webhooks' && (
            <Field id="signature-header" label="Signature header">
              <input
                id="signature-header"
                value={form.signatureHeader}
                placeholder="X-Signature"
                onChange={(e) => set('signatureHeader')(e.target.value)}
              />
            </Field>
          )}
          {form.scheme === 'hmac-sha256' && (
            <>
              <Field id="signature-prefix" label="Prefix">
                <input
                  id="signature-prefix"
                  value={form.signaturePrefix}
                  placeholder="sha256="
                  onChange={(e) => set('signaturePrefix')(e.target.value)}
                />
              </Field>
              <Field id="signature-encoding" label="Encoding">
                <select
                  id="signature-encoding"
                  value={form.signatureEncoding}
                  onChange={(e) => set('signatureEncoding')(e.target.value as FormState['signatureEncoding'])}
                >
                  <option value="hex">hex</option>
                  <option value="base64">base64</option>
                </select>
              </Field>
            </>
          )}
        </div>
      )}
      {show('requireVerification') && (
        <label className="inline">
          <input
            type="checkbox"
            checked={form.requireVerification}
            onChange={(e) => set('requireVerification')(e.target.checked)}
          />
          Require the ownership challenge before live traffic
        </label>
      )}
      {show('verification') && (
        <div className="row">
          <Field id="verification-request" label="Challenge request (JSON; empty: the standard shape)">
            <textarea
              id="verification-request"
              value={form.verificationRequest}
              placeholder='{"eventName": "verify", "payload": {"challenge": "{{challenge}}"}}'
              onChange={(e) => set('verificationRequest')(e.target.value)}
            />
          </Field>
          <Field id="verification-answer-field" label="Answer field (dot path)">
            <input
              id="verification-answer-field"
              value={form.verificationAnswerField}
              placeholder="challenge"
              disabled={!form.verificationRequest.trim()}
              onChange={(e) => set('verificationAnswerField')(e.target.value)}
            />
          </Field>
        </div>
      )}
    </>
  );
}
