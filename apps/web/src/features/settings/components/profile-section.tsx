import { useId, useMemo, useState, type FormEvent } from 'react';
import { Alert } from '../../../components/ui/alert';
import { TextField } from '../../../components/ui/text-field';
import type { User } from '../../../lib/api-types';
import { ApiError, errorMessage } from '../../../lib/api-error';
import { browserTimeZone, timeZoneOptions } from '../../../lib/time-zone';
import { useUpdateProfile } from '../api/update-profile';
import './account-settings.css';

/**
 * The name and the time zone ("today" and "overdue", for the assistant too, are dates in it).
 * Offers the browser's zone when the account has another one.
 */
export function ProfileSection({ user }: { user: User }) {
  const id = useId();
  const update = useUpdateProfile();
  const browserZone = useMemo(browserTimeZone, []);
  const zones = useMemo(() => timeZoneOptions(user.time_zone, browserZone), [user.time_zone, browserZone]);
  const [name, setName] = useState(user.name);
  const [timeZone, setTimeZone] = useState(user.time_zone);
  const [nameError, setNameError] = useState<string>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameError('Enter a name.');
      return;
    }
    setNameError(undefined);
    update.mutate({ name: name.trim(), timeZone });
  };

  const apiError = update.error instanceof ApiError ? update.error : undefined;
  const zoneError = apiError?.fieldError('time_zone');
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel__title">
        Profile
      </h2>
      <form className="form" onSubmit={submit} noValidate>
        <TextField
          label="Name"
          autoComplete="name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={nameError ?? apiError?.fieldError('name')}
        />
        <div className="field">
          <label htmlFor={`${id}-zone`} className="field__label">
            Time zone
          </label>
          <select
            id={`${id}-zone`}
            className="input"
            value={timeZone}
            onChange={(e) => setTimeZone(e.target.value)}
            aria-describedby={`${id}-zone-hint${zoneError ? ` ${id}-zone-error` : ''}`}
            aria-invalid={zoneError ? true : undefined}
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
          <p id={`${id}-zone-hint`} className="field__hint">
            “Today”, “tomorrow” and “overdue” are dates in this zone, for you and the assistant.
          </p>
          {zoneError && (
            <p id={`${id}-zone-error`} className="field__error">
              {zoneError}
            </p>
          )}
          {browserZone && browserZone !== timeZone && (
            <button type="button" className="button button--link profile__use-browser-zone" onClick={() => setTimeZone(browserZone)}>
              Use this device’s zone ({browserZone.replaceAll('_', ' ')})
            </button>
          )}
        </div>
        {update.isError && !apiError?.problem?.errors?.length && <Alert>{errorMessage(update.error)}</Alert>}
        {update.isSuccess && <Alert tone="success">Your profile is saved.</Alert>}
        <div>
          <button type="submit" className="button button--primary" disabled={update.isPending}>
            {update.isPending ? 'Saving…' : 'Save profile'}
          </button>
        </div>
      </form>
    </section>
  );
}
