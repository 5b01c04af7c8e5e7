#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible module: make a pool host match a poolnet pool file."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: poolnet
short_description: Make a virtualization pool host's networking match a poolnet pool file
description:
  - Runs C(poolnet apply --json) for one host of the pool, or C(poolnet plan --json) in check mode, and maps
    poolnet's exit codes to the task result (0 unchanged, 2 changed, 1 failed).
  - With O(content) or O(src), plans and applies against that new pool file, not the one on the host, so
    that C(--check --diff) shows what the new file would change. The new file replaces O(file) only after
    a successful apply.
  - The diff is a before/after per host of the pool file and of the live values the plan changes.
  - poolnet verifies every apply by a fresh read and rolls back on any failure; the host is then as it was.
version_added: "0.1.0"
author:
  - poolnet maintainers
requirements:
  - the poolnet executable on the managed host, run as root (it needs CAP_NET_ADMIN)
options:
  file:
    description:
      - The pool file on the managed host. Without O(content) or O(src) it is what poolnet plans and applies.
      - With O(content) or O(src), the new file replaces it after a successful apply (not in check mode).
    required: true
    type: path
  content:
    description:
      - The new pool file's YAML, for example read on the controller by the C(ansible.builtin.file) lookup.
      - Mutually exclusive with O(src).
    type: str
  src:
    description:
      - A new pool file already on the managed host, planned and applied instead of O(file).
      - Mutually exclusive with O(content).
    type: path
  host:
    description:
      - The pool host name in the file, usually C({{ inventory_hostname }}).
    required: true
    type: str
  netns:
    description:
      - Act inside this named network namespace (C(ip netns)), for sandboxes and tests.
    type: str
  state_dir:
    description:
      - poolnet's journal, lock and ownership directory (default C(/var/lib/poolnet)).
    type: path
  allow_disruptive:
    description:
      - Apply even when the plan deletes, re-addresses or takes down the interfaces carrying the default route
        or the SSH session.
    type: bool
    default: false
  force:
    description:
      - Log out iSCSI sessions and delete vports even when their LUNs are in use.
    type: bool
    default: false
  binary:
    description:
      - The poolnet executable, by name on PATH or by path.
    type: path
    default: poolnet
notes:
  - Supports check mode and diff mode.
  - Exit code 1 of poolnet (an invalid file, a blocked plan, a failed and rolled-back apply) fails the task.
"""

EXAMPLES = r"""
- name: Roll a new pool file out, one host at a time (add --check --diff for a dry run)
  poolnet:
    file: /etc/poolnet/pool.yaml
    content: "{{ lookup('file', 'pool.yaml') }}"
    host: "{{ inventory_hostname }}"

- name: Apply the pool file already on the host
  poolnet:
    file: /etc/poolnet/pool.yaml
    host: "{{ inventory_hostname }}"

- name: Allow a change of the management path
  poolnet:
    file: /etc/poolnet/pool.yaml
    host: "{{ inventory_hostname }}"
    allow_disruptive: true
"""

RETURN = r"""
changes:
  description: One line per planned (check mode) or applied change, as C(poolnet plan) prints them.
  returned: always
  type: list
  elements: str
  sample: ["+ bridge xenbr-priv0 (mtu 9000, stp off)", "~ san0: mtu 1500 -> 9000"]
problems:
  description: What blocks apply (a missing NIC, a name taken by a foreign device).
  returned: failure
  type: list
  elements: str
health:
  description: Storage path findings (carrier, portal reachability, jumbo frames, active paths per LUN).
  returned: always
  type: list
  elements: str
exit_code:
  description: poolnet's exit code (0 nothing to do, 2 changed); not C(rc), which Ansible would treat as a failure.
  returned: success
  type: int
  sample: 2
cmd:
  description: The poolnet command line that ran.
  returned: always
  type: list
  elements: str
poolnet:
  description: poolnet's C(--json) output (schema poolnet.plan/v1, or poolnet.error/v1 on failure).
  returned: always
  type: dict
"""

import json
import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule


def plan_diff(changes):
    """Before/after of the plan, per object: its live values (before) and the file's (after).

    Each object is a block headed by its name, so that the unified diff puts its old and new lines
    side by side: ` san0:` / `-  mtu 1500` / `+  mtu 9000`. A created object has its block only
    after, a deleted one only before; a change with no "from" (`link up`) is an after line.
    """
    blocks = {}
    for change in changes:
        op, summary, name = change["op"], change["summary"], change["object"]
        block = blocks.setdefault(name, {"before": [], "after": [], "created": False, "deleted": False})
        subject, sep, detail = summary.partition(": ")
        if not sep or subject != name:
            # The object itself: "bridge xenbr-priv0 (mtu 9000, stp off)".
            block["created" if op == "+" else "deleted" if op == "-" else "after"] = True
            block["after" if op != "-" else "before"].append(summary)
            continue
        parts = [p.split(" \u2192 ", 1) for p in re.split(r", (?=[^,]* \u2192 )", detail)] if "\u2192" in detail else []
        if op == "~" and parts and all(len(p) == 2 for p in parts):
            # "mtu 1500 -> 9000": the key stays on both sides ("mtu 1500" / "mtu 9000").
            block["before"].append(", ".join(p[0] for p in parts))
            block["after"].append(", ".join((p[0].rsplit(" ", 1)[0] + " " if " " in p[0] else "") + p[1] for p in parts))
        else:
            block["before" if op == "-" else "after"].append(detail)
    before, after = [], []
    for name, block in blocks.items():
        if not block["created"]:
            before += [name + ":"] + ["  " + line for line in block["before"]]
        if not block["deleted"]:
            after += [name + ":"] + ["  " + line for line in block["after"]]
    return "".join(line + "\n" for line in before), "".join(line + "\n" for line in after)


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except (IOError, OSError):
        return ""


def main():
    module = AnsibleModule(
        argument_spec=dict(
            file=dict(type="path", required=True),
            content=dict(type="str"),
            src=dict(type="path"),
            host=dict(type="str", required=True),
            netns=dict(type="str"),
            state_dir=dict(type="path"),
            allow_disruptive=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
            binary=dict(type="path", default="poolnet"),
        ),
        mutually_exclusive=[("content", "src")],
        supports_check_mode=True,
    )
    p = module.params
    binary = module.get_bin_path(p["binary"], required=True, opt_dirs=["/usr/local/bin", "/usr/local/sbin"])
    new_content = p["content"] if p["content"] is not None else (read(p["src"]) if p["src"] else None)
    if p["src"] and not os.path.isfile(p["src"]):
        module.fail_json(msg="src %s is not a file on the host" % p["src"])

    # The new file is planned and applied from a temporary copy next to `file`, which it replaces
    # only after a successful apply: a failed apply leaves the old file, matching the host.
    planned, temp = p["file"], None
    if new_content is not None:
        directory = os.path.dirname(p["file"]) or "."
        if not os.path.isdir(directory):
            directory = tempfile.gettempdir()
        fd, temp = tempfile.mkstemp(prefix=".poolnet-", suffix=".yaml", dir=directory)
        with os.fdopen(fd, "w") as f:
            f.write(new_content)
        planned = temp

    command = "plan" if module.check_mode else "apply"
    argv = [binary, command, planned, "--host", p["host"], "--json"]
    if p["netns"]:
        argv += ["--netns", p["netns"]]
    if p["state_dir"]:
        argv += ["--state-dir", p["state_dir"]]
    if not module.check_mode and p["allow_disruptive"]:
        argv.append("--allow-disruptive")
    if not module.check_mode and p["force"]:
        argv.append("--force")

    rc, out, err = module.run_command(argv)
    try:
        result = json.loads(out) if out.strip() else {}
    except ValueError:
        result = {}
    changes = result.get("changes", [])
    lines = [c["op"] + " " + c["summary"] for c in changes]
    problems = [x["object"] + ": " + x["message"] for x in result.get("problems", [])]
    health = [h["object"] + ": " + h["message"] for h in result.get("health", [])]
    if rc not in (0, 2) or problems:
        if temp:
            os.unlink(temp)
        module.fail_json(msg=result.get("message") or err.strip() or "poolnet %s exited %d" % (command, rc),
                         rc=rc, cmd=argv, changes=lines, problems=problems, health=health, poolnet=result, stderr=err)

    old_content = read(p["file"])
    file_changed = new_content is not None and new_content != old_content
    if temp:
        if module.check_mode or not file_changed:
            os.unlink(temp)
        else:
            os.chmod(temp, 0o644)
            module.atomic_move(temp, p["file"])

    diffs = []
    if file_changed:
        diffs.append(dict(before=old_content, after=new_content,
                          before_header="%s (on %s)" % (p["file"], p["host"]), after_header="%s (new)" % p["file"]))
    before, after = plan_diff(changes)
    diffs.append(dict(before=before, after=after,
                      before_header="host %s (live)" % p["host"], after_header="host %s (as the pool file says)" % p["host"]))
    module.exit_json(
        changed=(rc == 2 or file_changed),
        # Not "rc": Ansible fails any task whose result has a non-zero rc, and 2 means "changed".
        exit_code=rc,
        cmd=argv,
        changes=lines,
        health=health,
        diff=diffs,
        poolnet=result,
    )


if __name__ == "__main__":
    main()
