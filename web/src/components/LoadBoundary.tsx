/**
 * Where a part loaded on demand (React.lazy) appears: `loading` while its code comes, and
 * `failed` in its place if that fails (the network dropped, or a new deploy removed the old
 * file), rather than taking the whole page down.
 */
import { Component, Suspense, type ReactNode } from "react";

interface Props {
  loading: ReactNode;
  failed: ReactNode;
  children: ReactNode;
}

class Failed extends Component<Omit<Props, "loading">, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    return this.state.failed ? this.props.failed : this.props.children;
  }
}

export function LoadBoundary({ loading, failed, children }: Props) {
  return (
    <Failed failed={failed}>
      <Suspense fallback={loading}>{children}</Suspense>
    </Failed>
  );
}
