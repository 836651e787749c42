// Must NOT type-check: `cargo xtask test` expects tsc to fail on `timeoutMs` below.
import "moov-support-widget";

export function WrongProp() {
  return (
    <moov-support-form
      endpoint="/support/api/support/tickets"
      timeoutMs="soon"
    />
  );
}
