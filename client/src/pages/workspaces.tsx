// Workspaces: the ones I belong to, a new one, and one workspace's members (invite, roles,
// remove). Which controls appear comes from shared/workspace-rules.ts, the rule the server applies.
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import {
  WORKSPACE_ROLES,
  assignableRoles,
  deleteRefusal,
  leaveRefusal,
  removalRefusal,
  renameRefusal,
  revokeInviteRefusal,
  roleChangeRefusal,
  type WorkspaceRole,
} from "@shared/workspace-rules";
import { trpc } from "../trpc";
import { useMe } from "../hooks/use-me";
import { useDocumentTitle } from "../hooks/use-document-title";
import { Empty, ErrorState, Loading, Spinner } from "../components/states";
import { FormError } from "../components/field";
import { errorMessage, fieldErrors, formError } from "../lib/errors";
import { formatDateTime } from "../lib/format";

const ROLE_HINT: Record<WorkspaceRole, string> = {
  owner: "everything, including deleting the workspace",
  admin: "manages members (but not owners) and renames the workspace",
  member: "launches and steers the workspace's runs",
  viewer: "reads only",
  client: "a guest: sees only the projects shared with them, in the portal",
};

function CreateWorkspace() {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const create = trpc.workspace.create.useMutation();
  const [name, setName] = useState("");
  const [error, setError] = useState<string>();
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const ws = await create.mutateAsync({ name });
      setName("");
      await utils.workspace.list.invalidate();
      void navigate(`/workspaces/${ws.id}`);
    } catch (err) {
      setError(fieldErrors(err).name ?? errorMessage(err));
    }
  };
  return (
    <>
      <form className="inline-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="New workspace name"
          aria-label="Workspace name"
          aria-invalid={Boolean(error)}
          maxLength={80}
        />
        <button type="submit" className="btn" disabled={create.isPending}>
          {create.isPending ? <Spinner /> : "Create"}
        </button>
      </form>
      {error && <p className="field-error">Name {error}</p>}
    </>
  );
}

function WorkspaceList({ selectedId }: { selectedId: string | undefined }) {
  const list = trpc.workspace.list.useQuery();
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} retry={() => void list.refetch()} />;
  return (
    <ul className="token-list" data-testid="workspace-list">
      {list.data.map((ws) => (
        <li key={ws.id}>
          <div>
            <strong aria-current={ws.id === selectedId ? "page" : undefined}>
              {ws.id === selectedId ? ws.name : <Link to={`/workspaces/${ws.id}`}>{ws.name}</Link>}
            </strong>
            <div className="muted small">
              {ws.personal ? "personal · " : ""}
              {ws.role === "client" ? (
                <>
                  client · <Link to="/portal">your shared projects</Link>
                </>
              ) : (
                <>
                  {ws.role} · {ws.memberCount} {ws.memberCount === 1 ? "member" : "members"}
                </>
              )}
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

function InviteForm({ workspaceId, myRole }: { workspaceId: string; myRole: WorkspaceRole }) {
  const utils = trpc.useUtils();
  const invite = trpc.workspace.invite.useMutation({ onSuccess: () => void utils.workspace.invalidate() });
  const roles = assignableRoles(myRole);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<WorkspaceRole>("member");
  const [result, setResult] = useState<{ text: string; link?: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setResult(null);
    const done = await invite.mutateAsync({ id: workspaceId, email, role }).catch(() => null);
    if (!done) return;
    setEmail("");
    setCopied(false);
    setResult(
      done.status === "added"
        ? { text: `${done.member.name} (${done.member.email}) has joined as ${done.member.role}.` }
        : {
            text: `Send ${done.invitation.email} this link; it works once, until ${formatDateTime(done.invitation.expiresAt)}, and will not be shown again.`,
            link: done.link,
          },
    );
  };
  const errors = fieldErrors(invite.error);
  return (
    <>
      <form className="inline-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <input
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="Email to invite"
          aria-label="Email to invite"
          aria-invalid={Boolean(errors.email)}
        />
        <select
          value={role}
          onChange={(e) => setRole(e.target.value as WorkspaceRole)}
          aria-label="Role"
          style={{ flex: "0 0 auto", width: "auto" }}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button type="submit" className="btn" disabled={invite.isPending}>
          {invite.isPending ? <Spinner /> : "Invite"}
        </button>
      </form>
      {errors.email && <p className="field-error">Email {errors.email}</p>}
      {errors.role && <p className="field-error">Role: {errors.role}</p>}
      <FormError message={invite.error && !errors.email && !errors.role ? formError(invite.error) : undefined} />
      {result && (
        <div className="token-reveal" role="status">
          <p>{result.text}</p>
          {result.link && (
            <div className="token-row">
              <code data-testid="invite-link">{result.link}</code>
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => void navigator.clipboard?.writeText(result.link!).then(() => setCopied(true))}
              >
                {copied ? "Copied" : "Copy"}
              </button>
            </div>
          )}
        </div>
      )}
    </>
  );
}

function WorkspaceDetail({ id }: { id: string }) {
  const { user } = useMe();
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const ws = trpc.workspace.get.useQuery({ id });
  const isClient = ws.data?.role === "client";
  const members = trpc.workspace.members.useQuery({ id }, { enabled: ws.isSuccess && !isClient });
  const refresh = () => void utils.workspace.invalidate();
  const rename = trpc.workspace.update.useMutation({ onSuccess: refresh });
  const setRole = trpc.workspace.setRole.useMutation({ onSuccess: refresh });
  const remove = trpc.workspace.removeMember.useMutation({ onSuccess: refresh });
  const revoke = trpc.workspace.revokeInvite.useMutation({ onSuccess: refresh });
  const leave = trpc.workspace.leave.useMutation({ onSuccess: () => (refresh(), navigate("/workspaces")) });
  const del = trpc.workspace.delete.useMutation({ onSuccess: () => (refresh(), navigate("/workspaces")) });
  const [name, setName] = useState<string | null>(null);
  useDocumentTitle(ws.data?.name);

  if (ws.isPending) return <Loading />;
  if (ws.isError) return <ErrorState error={ws.error} title="Workspace not found" />;
  if (isClient) {
    return (
      <section className="card" data-testid="workspace-detail">
        <div className="card-head">
          <h2>{ws.data.name}</h2>
          <span className="muted small">you are a client</span>
        </div>
        <p>
          The projects this workspace shares with you, their deliveries and messages are in <Link to="/portal">the portal</Link>.
        </p>
        <button type="button" className="btn btn-ghost" disabled={leave.isPending} onClick={() => leave.mutate({ id })}>
          Leave
        </button>
        {leave.error && <p className="field-error">{errorMessage(leave.error)}</p>}
      </section>
    );
  }
  if (members.isPending) return <Loading />;
  if (members.isError) return <ErrorState error={members.error} retry={() => void members.refetch()} />;
  if (!user) return <Loading />;

  const me = { userId: user.id, role: ws.data.role };
  const standing = { personal: ws.data.personal, ownerCount: members.data.members.filter((m) => m.role === "owner").length };
  const mutationError = setRole.error ?? remove.error ?? revoke.error ?? leave.error ?? del.error;

  return (
    <section className="card" data-testid="workspace-detail">
      <div className="card-head">
        <h2>{ws.data.name}</h2>
        <span className="muted small">
          {ws.data.personal ? "personal · " : ""}you are {ws.data.role} · <Link to={`/workspaces/${id}/billing`}>Plan and billing</Link>
        </span>
      </div>
      {renameRefusal(me.role) === null && (
        <form
          className="inline-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (name !== null) rename.mutate({ id, name }, { onSuccess: () => setName(null) });
          }}
        >
          <input value={name ?? ws.data.name} onChange={(e) => setName(e.target.value)} aria-label="Workspace name" maxLength={80} />
          <button type="submit" className="btn btn-ghost" disabled={rename.isPending || name === null}>
            Rename
          </button>
        </form>
      )}
      {rename.error && <p className="field-error">{fieldErrors(rename.error).name ?? errorMessage(rename.error)}</p>}

      <h3>Members</h3>
      <div className="table-wrap">
        <table className="table" data-testid="members">
          <thead>
            <tr>
              <th>Name</th>
              <th className="hide-sm">Email</th>
              <th>Role</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {members.data.members.map((m) => {
              const target = { userId: m.userId, role: m.role };
              const roleChoices = WORKSPACE_ROLES.filter((r) => r === m.role || roleChangeRefusal(me, target, r, standing) === null);
              const isMe = m.userId === me.userId;
              return (
                <tr key={m.userId}>
                  <td>
                    {m.name}
                    {isMe ? <span className="muted"> (you)</span> : null}
                  </td>
                  <td className="hide-sm muted ellipsis">{m.email}</td>
                  <td>
                    {roleChoices.length > 1 ? (
                      <select
                        value={m.role}
                        aria-label={`Role of ${m.name}`}
                        disabled={setRole.isPending}
                        onChange={(e) => setRole.mutate({ id, userId: m.userId, role: e.target.value as WorkspaceRole })}
                      >
                        {roleChoices.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span title={ROLE_HINT[m.role]}>{m.role}</span>
                    )}
                  </td>
                  <td className="num">
                    {isMe
                      ? leaveRefusal(me, standing) === null && (
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm"
                            disabled={leave.isPending}
                            onClick={() => window.confirm(`Leave ${ws.data.name}?`) && leave.mutate({ id })}
                          >
                            Leave
                          </button>
                        )
                      : removalRefusal(me, target, standing) === null && (
                          <button
                            type="button"
                            className="btn btn-ghost btn-danger-text btn-sm"
                            disabled={remove.isPending}
                            onClick={() => remove.mutate({ id, userId: m.userId })}
                          >
                            Remove
                          </button>
                        )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <FormError message={mutationError ? errorMessage(mutationError) : undefined} />

      {members.data.invitations && (
        <>
          <h3>Invite</h3>
          {ws.data.personal ? (
            <p className="muted small">A personal workspace has only you. Create a workspace to work with others.</p>
          ) : (
            <InviteForm workspaceId={id} myRole={ws.data.role} />
          )}
          {members.data.invitations.length > 0 && (
            <ul className="token-list" data-testid="pending-invitations">
              {members.data.invitations.map((inv) => (
                <li key={inv.id}>
                  <div>
                    <strong>{inv.email}</strong> as {inv.role}
                    <div className="muted small">
                      invited by {inv.invitedBy.name} · expires {formatDateTime(inv.expiresAt)}
                    </div>
                  </div>
                  {revokeInviteRefusal(me.role) === null && (
                    <button
                      type="button"
                      className="btn btn-ghost btn-danger-text btn-sm"
                      disabled={revoke.isPending}
                      onClick={() => revoke.mutate({ id, invitationId: inv.id })}
                    >
                      Revoke
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}

      {deleteRefusal(me.role, standing) === null && (
        <div className="form-actions">
          <button
            type="button"
            className="btn btn-danger"
            disabled={del.isPending}
            onClick={() => window.confirm(`Delete ${ws.data.name} for every member? This cannot be undone.`) && del.mutate({ id })}
          >
            Delete workspace
          </button>
        </div>
      )}
    </section>
  );
}

export function WorkspacesPage() {
  const { id } = useParams();
  useDocumentTitle(id ? undefined : "Workspaces");
  return (
    <div className="account">
      <div className="page-head">
        <div>
          <h1>Workspaces</h1>
          <p className="muted">Teams share a workspace; each member has a role in it.</p>
        </div>
      </div>
      <div className="two-col">
        <section className="card">
          <div className="card-head">
            <h2>Yours</h2>
          </div>
          <WorkspaceList selectedId={id} />
          <CreateWorkspace />
        </section>
        {id ? (
          <WorkspaceDetail key={id} id={id} />
        ) : (
          <section className="card">
            <Empty title="Pick a workspace">See its members, invite people and set their roles.</Empty>
          </section>
        )}
      </div>
    </div>
  );
}

export function AcceptInvitePage() {
  useDocumentTitle("Invitation");
  const { token = "" } = useParams();
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const accept = trpc.workspace.acceptInvite.useMutation({
    onSuccess: (joined) => {
      void utils.workspace.invalidate();
      void navigate(joined.role === "client" ? "/portal" : `/workspaces/${joined.workspace.id}`, { replace: true });
    },
  });
  return (
    <section className="card">
      <div className="card-head">
        <h2>Join a workspace</h2>
      </div>
      <p>You have been invited to a Paddock workspace. The invitation works once, for the email address it was sent to.</p>
      <FormError message={accept.error ? errorMessage(accept.error) : undefined} />
      <div className="form-actions">
        <button type="button" className="btn btn-primary" disabled={accept.isPending} onClick={() => accept.mutate({ token })}>
          {accept.isPending ? <Spinner /> : "Accept invitation"}
        </button>
      </div>
    </section>
  );
}
