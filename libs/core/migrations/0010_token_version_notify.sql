-- Every api process caches users' token versions (auth/token-version-cache.ts). A change of
-- token_version (logout-all, password reset or change, ...) or a deleted user is announced on the
-- channel `token_version` as '<user_id>:<token_version>'. NOTIFY is delivered only on commit, so no
-- process hears of a change that rolled back, and no writer has to remember to announce it.
-- The NOTICE reaches the writing session itself before its commit returns, so the process that
-- made the change drops its entry before it can answer the request that asked for it.
CREATE FUNCTION notify_token_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  payload text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    payload := OLD.id::text || ':' || OLD.token_version;
  ELSIF NEW.token_version IS DISTINCT FROM OLD.token_version THEN
    payload := NEW.id::text || ':' || NEW.token_version;
  ELSE
    RETURN NULL;
  END IF;
  PERFORM pg_notify('token_version', payload);
  RAISE NOTICE USING MESSAGE = 'token_version ' || payload;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_token_version_notify
  AFTER UPDATE OF token_version OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION notify_token_version();
