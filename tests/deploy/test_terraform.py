"""terraform/ for Hetzner Cloud: `terraform fmt` (the machine's terraform binary) and structural checks of
the parsed HCL (python-hcl2): the resources the cluster needs, a firewall that opens nothing but a
restricted SSH, servers spread by placement groups and set up by cloud-init, the load balancer in front of
Traefik's node ports, validated variables, an example tfvars that sets only declared variables, a remote
backend, an output for Kubespray. `terraform validate` needs the hcloud provider, which no registry reachable
here serves (the Go module proxy refuses terraform-provider-hcloud: 403): not run. Each check is proven on a
broken copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2

from tests.deploy.support import ROOT, Tools

TERRAFORM = ROOT / "terraform"
REQUIRED = {
    "hcloud_network",
    "hcloud_network_subnet",
    "hcloud_firewall",
    "hcloud_placement_group",
    "hcloud_server",
    "hcloud_volume",
    "hcloud_volume_attachment",
    "hcloud_load_balancer",
    "hcloud_load_balancer_network",
    "hcloud_load_balancer_target",
    "hcloud_load_balancer_service",
    "minio_s3_bucket",
}


def plain(value: Any) -> Any:
    """python-hcl2's output without its quotes and markers: ``'"x"'`` -> ``'x'``."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items() if k not in ("__is_block__", "__comments__")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse(folder: Path) -> dict[str, list[Any]]:
    """Every block of the folder's .tf files, by block type."""
    merged: dict[str, list[Any]] = {}
    for path in sorted(folder.glob("*.tf")):
        with path.open() as handle:
            for kind, blocks in plain(hcl2.load(handle)).items():
                merged.setdefault(kind, []).extend(blocks)
    return merged


def resources(parsed: dict[str, list[Any]]) -> dict[str, dict[str, Any]]:
    """``{"hcloud_server.worker": {...}}``."""
    return {
        f"{kind}.{name}": body
        for block in parsed.get("resource", [])
        for kind, named in block.items()
        for name, body in named.items()
    }


def findings(folder: Path) -> list[str]:
    parsed = parse(folder)
    found = []
    res = resources(parsed)
    kinds = {name.split(".")[0] for name in res}
    found += [f"no {kind} resource" for kind in sorted(REQUIRED - kinds)]
    providers = parsed["terraform"][0]["required_providers"][0]
    for name, spec in providers.items():
        if not re.match(r"^(~>|=|>=) ?\d", str(spec.get("version", ""))):
            found.append(f"provider {name} has no version constraint")
    if "backend" not in parsed["terraform"][0]:
        found.append("no remote backend")
    for name, body in res.items():
        if name.startswith("hcloud_firewall."):
            for rule in body.get("rule", []):
                sources = rule.get("source_ips")
                if rule.get("direction") == "in" and rule.get("protocol") == "tcp":
                    port = str(rule.get("port"))
                    if port == "22" and sources != "${var.ssh_allowed_cidrs}":
                        found.append(f"{name}: SSH open to {sources}, not to var.ssh_allowed_cidrs")
                    elif port != "22":
                        found.append(
                            f"{name}: opens TCP port {port} to the servers (only the load balancer serves 80/443)"
                        )
        if name.startswith("hcloud_server."):
            for needed in ("placement_group_id", "user_data", "network", "labels"):
                if needed not in body:
                    found.append(f"{name}: no {needed}")
            if "cloud-init" not in str(body.get("user_data", "")):
                found.append(f"{name}: user_data is not the cloud-init template")
    services = {int(b["listen_port"]): b for n, b in res.items() if n.startswith("hcloud_load_balancer_service.")}
    for listen in (80, 443):
        if listen not in services:
            found.append(f"the load balancer does not listen on {listen}")
        elif services[listen].get("proxyprotocol") is not True:
            found.append(f"the load balancer's port {listen} does not send the PROXY protocol")
    variables = {name: body for block in parsed.get("variable", []) for name, body in block.items()}
    for name, body in variables.items():
        if "description" not in body or "type" not in body:
            found.append(f"variable {name}: no description or type")
    for name in ("hcloud_token", "ssh_allowed_cidrs", "ssh_public_keys", "environment", "location", "worker_count"):
        if name in variables and "validation" not in variables[name]:
            found.append(f"variable {name}: no validation")
    for name in ("hcloud_token", "s3_access_key", "s3_secret_key"):
        if variables.get(name, {}).get("sensitive") is not True:
            found.append(f"variable {name}: not sensitive")
    outputs = {name for block in parsed.get("output", []) for name in block}
    if "kubespray_inventory" not in outputs:
        found.append("no kubespray_inventory output")
    example = hcl2.loads((folder / "prod.tfvars.example").read_text())
    for name in sorted(set(plain(example)) - set(variables)):
        found.append(f"prod.tfvars.example sets {name}, which is no variable")
    for name in ("hcloud_token", "s3_access_key", "s3_secret_key"):
        if name in plain(example):
            found.append(f"prod.tfvars.example holds the secret {name}")
    return found


def test_structure() -> None:
    assert findings(TERRAFORM) == []


def copy_terraform(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TERRAFORM, tmp_path / "terraform"))


def test_structure_finds_an_open_firewall_and_a_missing_piece(tmp_path: Path) -> None:
    folder = copy_terraform(tmp_path)
    main = folder / "main.tf"
    text = main.read_text().replace("source_ips  = var.ssh_allowed_cidrs", 'source_ips  = ["0.0.0.0/0"]')
    text = text.replace(
        '  rule {\n    description = "ping"',
        '  rule {\n    direction  = "in"\n    protocol   = "tcp"\n    port       = "5432"\n'
        '    source_ips = ["0.0.0.0/0"]\n  }\n\n  rule {\n    description = "ping"',
    )
    text = text.replace("  proxyprotocol    = true\n", "  proxyprotocol    = false\n", 1)
    main.write_text(text)
    (folder / "storage.tf").unlink()
    variables = folder / "variables.tf"
    variables.write_text(
        re.sub(
            r'(variable "ssh_allowed_cidrs" \{.*?)\n  validation \{.*?\n  \}\n',
            r"\1\n",
            variables.read_text(),
            count=1,
            flags=re.S,
        )
    )
    (folder / "prod.tfvars.example").write_text(
        (folder / "prod.tfvars.example").read_text() + 'hcloud_token = "x"\nworkers = 3\n'
    )
    assert findings(folder) == [
        "no minio_s3_bucket resource",
        "hcloud_firewall.nodes: SSH open to ['0.0.0.0/0'], not to var.ssh_allowed_cidrs",
        "hcloud_firewall.nodes: opens TCP port 5432 to the servers (only the load balancer serves 80/443)",
        "the load balancer's port 80 does not send the PROXY protocol",
        "variable ssh_allowed_cidrs: no validation",
        "prod.tfvars.example sets workers, which is no variable",
        "prod.tfvars.example holds the secret hcloud_token",
    ]


def layout_findings(tools: Tools, folder: Path) -> list[str]:
    """Files of ``folder`` not in the canonical layout: hclfmt's (HCL's formatter, built by
    tools/deploy-tools.sh) always, and ``terraform fmt``'s as well where terraform is installed."""
    found = []
    for path in sorted([*folder.glob("*.tf"), folder / "prod.tfvars.example"]):
        done = subprocess.run(
            [str(tools.hclfmt), "-require-no-change", str(path)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            found.append(f"{path.name}: not in hclfmt's layout")
    binary = shutil.which("terraform")
    if binary is not None:
        example = folder / "prod.tfvars"  # fmt reads .tf and .tfvars: the example, under a name it reads
        shutil.copy(folder / "prod.tfvars.example", example)
        try:
            done = subprocess.run(
                [binary, "fmt", "-check", "-recursive", str(folder)],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"},
            )
        finally:
            example.unlink()
        found += [f"{Path(line).name}: not in terraform fmt's layout" for line in done.stdout.split()]
    return found


def test_terraform_files_are_in_the_canonical_layout(tools: Tools, tmp_path: Path) -> None:
    assert layout_findings(tools, copy_terraform(tmp_path)) == []


def test_the_layout_check_finds_a_badly_formatted_file(tools: Tools, tmp_path: Path) -> None:
    folder = copy_terraform(tmp_path)
    outputs = folder / "outputs.tf"
    outputs.write_text(
        outputs.read_text().replace(
            "  value       = hcloud_load_balancer.traefik.ipv4", "  value = hcloud_load_balancer.traefik.ipv4", 1
        )
    )
    findings = layout_findings(tools, folder)
    assert "outputs.tf: not in hclfmt's layout" in findings
    assert all(f.startswith("outputs.tf: ") for f in findings), findings


def test_the_inventory_template_renders_for_kubespray() -> None:
    """The inventory template's groups are Kubespray's (rendered here with a stand-in for Terraform's
    templatefile: its loops and interpolations)."""
    template = (TERRAFORM / "templates" / "inventory.yaml.tftpl").read_text()
    for group in ("kube_control_plane:", "etcd:", "kube_node:", "k8s_cluster:"):
        assert group in template
    assert "%{ for s in control_plane ~}" in template
    assert "access_ip: ${s.private_ip}" in template
