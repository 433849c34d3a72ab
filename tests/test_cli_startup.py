"""What starting the CLI loads, and the campaign stack as an optional extra.

Each check runs in a fresh interpreter: in this process pytest and other tests have already
imported everything. Startup times themselves are measured in benchmarks/startup_bench.py, not
here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Libraries that `amparo --help` does not need: the store's, the detectors' and the campaign
# stack's (SQLAlchemy and Alembic alone take a third of a second to import).
HEAVY = ("pandas", "dask", "distributed", "networkx", "sklearn", "scipy", "duckdb", "pyarrow",
         "numpy", "sqlalchemy", "alembic", "lingua", "tldextract", "phonenumbers", "cryptography",
         "argon2", "rapidfuzz", "stix2patterns", "idna")

# Makes the named top-level packages unimportable, as if the extra were not installed.
BLOCK = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Block())
"""

CAMPAIGN_STACK = "pandas,pyarrow,duckdb,networkx,dask,distributed"


def _python(code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, check=False)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    result = _python("import json, sys, amparo.cli\n"
                     f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_help_and_version_start_without_the_store() -> None:
    for argv in (["--help"], ["version"], ["defender", "--help"]):
        result = _python("import json, sys\nfrom amparo.cli import app\n"
                         "try:\n    app(sys.argv[1:], prog_name='amparo')\n"
                         "except SystemExit as e:\n    code = e.code\n"
                         f"print(json.dumps([code, sorted(m for m in {HEAVY!r} "
                         "if m in sys.modules)]))", *argv)
        assert result.returncode == 0, result.stderr
        code, loaded = json.loads(result.stdout.splitlines()[-1])
        assert code in (0, None) and loaded == [], (argv, result.stdout)
    assert "watch" in result.stdout  # the defender group's help was shown


def test_campaigns_without_the_extra_name_it(tmp_path: Path) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text("account_id,object_id,timestamp\na,https://x.example/1,1\n",
                     encoding="utf-8")
    code = BLOCK + "from amparo.cli import app\napp(sys.argv[2:], prog_name='amparo')\n"
    for argv in (["campaigns", "detect", str(posts)], ["campaigns", "list"]):
        result = _python(code, CAMPAIGN_STACK, *argv, cwd=tmp_path)
        assert result.returncode == 2, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert "pip install 'amparo[campaigns]'" in " ".join(result.stderr.split())
        assert "missing: pandas, pyarrow, duckdb, networkx, dask, distributed" in \
            " ".join(result.stderr.split())
    # Only what is missing is named.
    result = _python(code, "duckdb", "campaigns", "list", cwd=tmp_path)
    assert result.returncode == 2 and "(missing: duckdb)" in " ".join(result.stderr.split())


def test_everything_else_works_without_the_campaign_stack(tmp_path: Path) -> None:
    code = BLOCK + (
        "import amparo.pipeline, amparo.store.workspace, amparo.store.analysis\n"
        "import amparo.detect.registry, amparo.ingest.registry, amparo.demo\n"
        "from amparo.cli import app\n"
        "try:\n    app(['formats'], prog_name='amparo')\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        "try:\n    import amparo.campaigns.detect\n"
        "except ModuleNotFoundError as e:\n    print('campaigns need', e.name)\n")
    result = _python(code, CAMPAIGN_STACK, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "whatsapp" in result.stdout
    assert "campaigns need" in result.stdout  # the block did take effect
