import { type FormEvent, useState } from 'react';
import type { PortalSession } from '../../../sdk/src/client/index.ts';
import { dateTime } from '../format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { CopyButton, Empty, ErrorBox, Loading, useLoad } from '../ui.tsx';

export function TenantsPage() {
  const { client } = useSession();
  const { data, error, loading, reload } = useLoad(() => client.listTenants({ limit: 250 }), []);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [actionError, setActionError] = useState<unknown>(null);
  const [links, setLinks] = useState<Record<string, PortalSession>>({});

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setActionError(null);
    try {
      await client.createTenant({ ...(id ? { id } : {}), ...(name ? { name } : {}) });
      setId('');
      setName('');
      reload();
    } catch (err) {
      setActionError(err);
    }
  };
  const portalLink = async (tid: string) => {
    setActionError(null);
    try {
      const session = await client.createPortalSession(tid);
      setLinks((l) => ({ ...l, [tid]: session }));
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <div>
      <h1>Tenants</h1>
      <form className="panel" onSubmit={create}>
        <div className="row">
          <div>
            <label htmlFor="tenant-id">Id (optional)</label>
            <input id="tenant-id" value={id} onChange={(e) => setId(e.target.value)} placeholder="acme" />
          </div>
          <div>
            <label htmlFor="tenant-name">Name</label>
            <input
              id="tenant-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="Acme Corp"
            />
          </div>
          <button type="submit">Create tenant</button>
        </div>
      </form>
      <ErrorBox error={actionError} />
      {loading && !data && <Loading />}
      <ErrorBox error={error} />
      {data && data.data.length === 0 && <Empty>No tenants yet: create the first one above.</Empty>}
      {data && data.data.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Tenants" className="stack">
            <thead>
              <tr>
                <th>Name</th>
                <th>Id</th>
                <th>Created</th>
                <th>Pages</th>
                <th>Customer portal</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((t) => {
                const base = `/tenants/${encodeURIComponent(t.id)}`;
                const link = links[t.id];
                return (
                  <tr key={t.id}>
                    <td data-label="Name">{t.name}</td>
                    <td data-label="Id">
                      <code>{t.id}</code>
                    </td>
                    <td data-label="Created">{dateTime(t.createdAt)}</td>
                    <td data-label="Pages">
                      <Link to={`${base}/subscriptions`}>Subscriptions</Link> ·{' '}
                      <Link to={`${base}/log`}>Log</Link> · <Link to={`${base}/metrics`}>Metrics</Link>
                    </td>
                    <td data-label="Customer portal" className="wrap">
                      {link ? (
                        <span>
                          <a href={link.url} target="_blank" rel="noreferrer" data-testid="portal-link">
                            Open portal
                          </a>{' '}
                          <CopyButton text={link.url} label="Copy link" /> expires {dateTime(link.expiresAt)}
                        </span>
                      ) : (
                        <button type="button" className="secondary" onClick={() => portalLink(t.id)}>
                          Create portal link for {t.name}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
