import { PageHeading } from '../../components/ui/page-heading';
import { SignOutEverywhere } from '../../features/auth/components/sign-out-everywhere';
import { AccountSection } from '../../features/settings/components/account-section';
import { ApiTokensSection } from '../../features/settings/components/api-tokens-section';
import { ConnectedAppsSection } from '../../features/settings/components/connected-apps-section';
import { useUser } from '../../lib/session';

export function SettingsRoute() {
  const user = useUser();
  return (
    <div className="settings">
      <PageHeading title="Settings" />
      <AccountSection user={user} actions={<SignOutEverywhere />} />
      <ApiTokensSection userId={user.id} />
      <ConnectedAppsSection userId={user.id} />
    </div>
  );
}
