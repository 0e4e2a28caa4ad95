#!/usr/bin/env python3
"""Checks deploy/ against the program, as far as a machine without a container engine can:

  * compose.yaml and k8s/*.yaml parse as YAML;
  * every setting they (and the Dockerfile and the systemd unit) give is one the README's
    configuration table documents, so no file sets a variable the program does not read;
  * the port agrees everywhere (Dockerfile EXPOSE and CAMPAIGN_BIND, compose, k8s containerPort),
    the image's user id is the one Kubernetes runs as, and every command line runs `campaign serve`;
  * the binary, started with the Dockerfile's environment (on a free port and a temporary SQLite
    file), answers 200 on every probe path the Dockerfile and Kubernetes use.

Usage: scripts/check-deploy.py (build first: `cargo build --bin campaign`). Needs PyYAML.
"""

import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from campaign_server import ROOT, binary, free_port

DEPLOY = ROOT / "deploy"
# Set by the platform or for other programs, not settings of ours.
NOT_OURS = {"RUST_LOG", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}


def documented() -> set:
    readme = (ROOT / "README.md").read_text()
    first_cells = re.findall(r"^\|([^|]*`[A-Z_]+`[^|]*)\|", readme, re.MULTILINE)
    return {name for cell in first_cells for name in re.findall(r"`([A-Z_]+)`", cell)}


def main() -> int:
    problems = []
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    unit = (DEPLOY / "campaign.service").read_text()
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    k8s = [doc for f in sorted((DEPLOY / "k8s").glob("*.yaml")) for doc in yaml.safe_load_all(f.read_text()) if doc]

    image_env = dict(re.findall(r"([A-Z_]+)=(\S+)", dockerfile.split("ENV", 1)[1].split("EXPOSE", 1)[0]))
    api = compose["services"]["api"]
    containers = [c for d in k8s if d.get("kind") == "Deployment" for c in d["spec"]["template"]["spec"]["containers"]]
    settings = {
        "Dockerfile": set(image_env),
        "compose.yaml": set(api.get("environment", {})),
        "k8s": {e["name"] for c in containers for e in c.get("env", [])},
        "campaign.service": set(re.findall(r"^Environment=([A-Z_]+)=", unit, re.MULTILINE)),
    }
    known = documented()
    for where, names in settings.items():
        for name in sorted(names - known - NOT_OURS):
            problems.append(f"{where} sets {name}, which the README's configuration table does not document")

    port = image_env.get("CAMPAIGN_BIND", "").rsplit(":", 1)[-1]
    exposed = re.search(r"^EXPOSE (\d+)", dockerfile, re.MULTILINE)
    if not exposed or exposed.group(1) != port:
        problems.append(f"the Dockerfile exposes {exposed and exposed.group(1)} but binds {port}")
    if not any(p.endswith(f":{port}") for p in api.get("ports", [])):
        problems.append(f"compose does not publish the container port {port}: {api.get('ports')}")
    for c in containers:
        if [str(p["containerPort"]) for p in c["ports"]] != [port]:
            problems.append(f"k8s container {c['name']} listens on {c['ports']}, the image on {port}")
        if c.get("args") != ["serve"]:
            problems.append(f"k8s container {c['name']} runs {c.get('args')}, not serve")
    uid = re.search(r"--uid (\d+)", dockerfile)
    run_as = {d["spec"]["template"]["spec"]["securityContext"].get("runAsUser") for d in k8s if d.get("kind") == "Deployment"}
    if not uid or run_as != {int(uid.group(1))}:
        problems.append(f"the image's user id {uid and uid.group(1)} is not the one k8s runs as ({run_as})")
    if 'CMD ["serve"]' not in dockerfile or "ExecStart=/usr/local/bin/campaign serve" not in unit:
        problems.append("the image or the systemd unit does not run `campaign serve`")

    probes = set(re.findall(r"http://127\.0\.0\.1:\d+(/\S*)", dockerfile))
    probes |= {c[p]["httpGet"]["path"] for c in containers for p in ("readinessProbe", "livenessProbe") if p in c}
    work = tempfile.mkdtemp(prefix="check-deploy-")
    free = free_port()
    env = {**os.environ, **image_env, "CAMPAIGN_BIND": f"127.0.0.1:{free}",
           "DATABASE_URL": f"sqlite://{work}/campaign.db?mode=rwc", "CAMPAIGN_JWT_SECRET": secrets.token_urlsafe(48)}
    env.pop("CAMPAIGN_BOUNDARIES", None)
    server = subprocess.Popen([str(binary()), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for path in sorted(probes):
            status = None
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{free}{path}", timeout=2) as answer:
                        status = answer.status
                        break
                except urllib.error.HTTPError as e:
                    status = e.code
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            if status != 200:
                problems.append(f"the probe {path} answered {status} with the image's settings")
    finally:
        server.terminate()
        server.wait(timeout=30)
    for p in problems:
        print(f"PROBLEM {p}")
    print(f"deploy/ checked: {sum(map(len, settings.values()))} settings, port {port}, probes {sorted(probes)}: "
          + ("FAILED" if problems else "consistent with the program"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
