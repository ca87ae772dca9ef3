// Routes, each page loaded on first visit (React.lazy): the sign-in page loads only what it
// uses, and the arena does not carry the run page's charts and feed.
import { Navigate, Route, Routes } from "react-router";
import { lazy, Suspense, type ComponentType } from "react";
import { Loading } from "./components/states";

function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(() => load().then((m) => ({ default: m[name] })));
}

const SignedInLayout = lazy(() => import("./pages/signed-in"));
const SignInPage = page(() => import("./pages/sign-in"), "SignInPage");
const SignUpPage = page(() => import("./pages/sign-up"), "SignUpPage");
const ArenaPage = page(() => import("./pages/arena"), "ArenaPage");
const LaunchPage = page(() => import("./pages/launch"), "LaunchPage");
const RunPage = page(() => import("./pages/run"), "RunPage");
const ComparePage = page(() => import("./pages/compare"), "ComparePage");
const AccountPage = page(() => import("./pages/account"), "AccountPage");
const WorkspacesPage = page(() => import("./pages/workspaces"), "WorkspacesPage");
const AcceptInvitePage = page(() => import("./pages/workspaces"), "AcceptInvitePage");
const LlmCredentialsPage = page(() => import("./pages/llm-credentials"), "LlmCredentialsPage");
const WorkspaceBillingPage = page(() => import("./pages/billing"), "WorkspaceBillingPage");
const ProjectsPage = page(() => import("./pages/projects"), "ProjectsPage");
const ProjectPage = page(() => import("./pages/project"), "ProjectPage");
const TaskPage = page(() => import("./pages/task"), "TaskPage");
const AgentsPage = page(() => import("./pages/agents"), "AgentsPage");
const ReviewPage = page(() => import("./pages/review"), "ReviewPage");
const DeliverablePage = page(() => import("./pages/deliverable"), "DeliverablePage");
const PortalPage = page(() => import("./pages/portal"), "PortalPage");
const NotFoundPage = page(() => import("./pages/not-found"), "NotFoundPage");

export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/signup" element={<SignUpPage />} />
        <Route element={<SignedInLayout />}>
          <Route index element={<ArenaPage />} />
          <Route path="launch" element={<LaunchPage />} />
          <Route path="runs/:id" element={<RunPage />} />
          <Route path="compare" element={<ComparePage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="workspaces" element={<WorkspacesPage />} />
          <Route path="workspaces/:id" element={<WorkspacesPage />} />
          <Route path="workspaces/:id/billing" element={<WorkspaceBillingPage />} />
          <Route path="invite/:token" element={<AcceptInvitePage />} />
          <Route path="admin/llm" element={<LlmCredentialsPage />} />
          <Route path="projects" element={<ProjectsPage />} />
          <Route path="projects/:id" element={<ProjectPage />} />
          <Route path="tasks/:id" element={<TaskPage />} />
          <Route path="agents" element={<AgentsPage />} />
          <Route path="review" element={<ReviewPage />} />
          <Route path="deliverables/:id" element={<DeliverablePage />} />
          <Route path="portal" element={<PortalPage />} />
          <Route path="portal/:projectId" element={<PortalPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </Suspense>
  );
}
