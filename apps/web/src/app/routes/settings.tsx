import { PageHeading } from '../../components/ui/page-heading';
import { SignOutEverywhere } from '../../features/auth/components/sign-out-everywhere';
import { AccountSection } from '../../features/settings/components/account-section';
import { ApiTokensSection } from '../../features/settings/components/api-tokens-section';
import { ConnectedAppsSection } from '../../features/settings/components/connected-apps-section';
import { ChangePasswordSection } from '../../features/settings/components/change-password-section';
import { ProfileSection } from '../../features/settings/components/profile-section';
import { YourDataSection } from '../../features/settings/components/your-data-section';
import { useUser } from '../../lib/session';

export function SettingsRoute() {
  const user = useUser();
  return (
    <div className="settings">
      <PageHeading title="Settings" />
      <AccountSection user={user} actions={<SignOutEverywhere />} />
      <ProfileSection user={user} />
      <ChangePasswordSection email={user.email} />
      <ApiTokensSection userId={user.id} />
      <ConnectedAppsSection userId={user.id} />
      <YourDataSection userId={user.id} />
    </div>
  );
}
