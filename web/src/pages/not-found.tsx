import { Link } from '../router/router';
import { Page } from '../ui/page';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>
        There is nothing at this address. <Link to="/">Go to the start page</Link>.
      </p>
    </Page>
  );
}
