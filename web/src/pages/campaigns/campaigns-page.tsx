import { Page } from '../../ui/page';

/**
 * Seam for issue 12: the nav shows Campaigns only when the server answers GET /v1/campaigns
 * (session.features.campaigns). The create / CSV upload / start-pause-cancel / progress UI goes here.
 */
export function CampaignsPage() {
  return (
    <Page title="Campaigns">
      <p>Campaigns are available on this server; their management screens are coming to the console.</p>
    </Page>
  );
}
