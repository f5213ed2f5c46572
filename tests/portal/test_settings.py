"""Start-up refusals and `check --deploy`, in fresh processes with production environments."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-production-secret-key-" + "x" * 30,
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "HMAC_KEY": "hmac-key-for-the-tests-0123456789",
        "ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ["REDIS_URL"],
        "RATELIMIT_REDIS_URL": os.environ["RATELIMIT_REDIS_URL"],
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=production_env())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ENCRYPTION_KEYS", "HMAC_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "RATELIMIT_REDIS_URL"]
)
def test_it_refuses_to_start_without_a_required_setting(missing):
    env = production_env()
    del env[missing]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_it_names_a_variable_with_a_bad_value():
    result = manage("check", env=production_env(DEBUG="maybe"))

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_it_refuses_a_database_other_than_postgresql():
    result = manage("check", env=production_env(DATABASE_URL="sqlite:///portal.db"))

    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_secrets_can_come_from_files(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("f" * 60 + "\n")

    result = manage("check", env=production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(secret_file)))

    assert result.returncode == 0, result.stderr


def test_it_refuses_to_keep_rate_limits_in_the_main_redis():
    result = manage("check", env=production_env(RATELIMIT_REDIS_URL=os.environ["REDIS_URL"]))

    assert result.returncode != 0
    assert "RATELIMIT_REDIS_URL must name a Redis of its own" in result.stderr


def test_it_names_a_trusted_proxy_that_is_not_an_address():
    result = manage("check", env=production_env(TRUSTED_PROXIES="10.0.0.1, proxy.example.org"))

    assert result.returncode != 0
    assert "TRUSTED_PROXIES must list IP addresses or networks; got 'proxy.example.org'" in result.stderr
