# Sourced by the scripts in this folder: make sure the project's virtual environment exists
# and matches the pinned requirement files, then export VENV_BIN. Idempotent and quiet when
# nothing changed.
#
#   ARGOSY_VENV  where the environment lives (default: .venv in the checkout, which is also
#                the virtualenv Pulumi.yaml names for `pulumi up`)
#   PYTHON       the interpreter to create it with (default: python3.11, else python3)

venv="${ARGOSY_VENV:-.venv}"
python="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
if [ -z "$python" ]; then
    echo "error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
    exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: $python is $("$python" -V 2>&1); argosy needs Python 3.11 or newer" >&2
    exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv with $("$python" -V 2>&1)" >&2
    "$python" -m venv "$venv"
fi
stamp="$venv/.argosy-requirements"
wanted="$(cat requirements.txt requirements-dev.txt | cksum)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "installing pinned requirements into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r requirements.txt -r requirements-dev.txt
    printf '%s' "$wanted" > "$stamp"
fi
VENV_BIN="$venv/bin"
export VENV_BIN
