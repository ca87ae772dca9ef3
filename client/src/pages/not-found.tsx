import { Link } from "react-router";
import { Empty } from "../components/states";

export function NotFoundPage() {
  return (
    <Empty
      title="Nothing here"
      action={
        <Link className="btn" to="/">
          Back to the arena
        </Link>
      }
    >
      That page does not exist.
    </Empty>
  );
}
