// PLACEHOLDER, to delete once every component is on main: marks where a @portcullis/react
// component that has not landed yet goes. Nothing here imitates the component.

/** A clearly marked placeholder for a component of @portcullis/react still being written. */
export function Pending({ component }: { component: string }) {
  return (
    <div className="app-pending" data-pending-component={component}>
      <code>&lt;{component} /&gt;</code> from <code>@portcullis/react</code> goes here (not on main yet).
    </div>
  );
}
