"""The side-by-side benchmark (../shared/perf/side_by_side.py) for the parents' pages: the same
run, logged in as the README's demo parent (Mireille Lalonde) instead of the demo student.

From the project's root, after `make install` and `apt-get install wrk`:

    .venv/bin/python tests/perf/side_by_side_parents.py /parents/accueil/ /parents/enfants/21/

21 is the demo's first child (Camille) in the fresh database the benchmark loads. Every
function of side_by_side.py is reused; only its login is replaced. SIDE_BY_SIDE names the
script when it is not at ../shared/perf/side_by_side.py (or /work/shared/perf/).
"""

import http.cookiejar
import importlib.util
import os
import sys
import urllib.parse
import urllib.request
from pathlib import Path

PARENT, PARENT_PASSWORD = "mireille.lalonde@parents.example", "Parents-Demo-2026"


def side_by_side():
    candidates = [
        os.environ.get("SIDE_BY_SIDE", ""),
        str(Path.cwd().parent / "shared" / "perf" / "side_by_side.py"),
        "/work/shared/perf/side_by_side.py",
    ]
    path = next(p for p in candidates if p and Path(p).exists())
    spec = importlib.util.spec_from_file_location("side_by_side", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HERE = str(Path(path).parent)
    return module


def parent_login(sbs):
    def login(base: str) -> str:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/parents/", timeout=30)
        parser = sbs.LoginForm()
        parser.feed(page.read().decode())
        form = next(f for f in parser.forms if any(t == "password" for _, t, _ in f["fields"]))
        values = {"email": PARENT, "password": PARENT_PASSWORD}
        data = [(name, values.get(name, value)) for name, _kind, value in form["fields"] if name]
        csrf = next((c.value for c in jar if c.name == "csrftoken"), "")
        request = urllib.request.Request(
            urllib.parse.urljoin(page.geturl(), form["action"]),
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": page.geturl(), "X-CSRFToken": csrf},
        )
        opener.open(request, timeout=30)
        return "; ".join(f"{c.name}={c.value}" for c in jar)

    return login


def main() -> int:
    sbs = side_by_side()
    sbs.login = parent_login(sbs)
    return sbs.main()


if __name__ == "__main__":
    sys.exit(main())
