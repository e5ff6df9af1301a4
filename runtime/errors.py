"""User mistakes become one clear line and exit status 2, never a traceback."""

import sys


class UserError(Exception):
    """A mistake the user can fix: the message names the file or key and says what to do."""


def exit_on_user_error(function, *args, **kwargs):
    """Calls `function`; a `UserError` is printed as `error: ...` and the process exits with status 2."""
    try:
        return function(*args, **kwargs)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
