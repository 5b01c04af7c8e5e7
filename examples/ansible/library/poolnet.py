#!/usr/bin/python
# -*- coding: utf-8 -*-
"""Ansible module: make a pool host match the poolnet pool file.

Runs `poolnet apply --json` (or `poolnet plan --json` in check mode) for the inventory host and
maps poolnet's stable exit codes to Ansible's result: 0 unchanged, 2 changed, 1 failed.
"""

DOCUMENTATION = r"""
module: poolnet
short_description: Apply a poolnet pool topology to one pool host
options:
  file: {description: The pool file on the managed host., required: true, type: path}
  host: {description: The pool host name (usually inventory_hostname)., required: true, type: str}
  netns: {description: Act inside this network namespace (tests, sandboxes)., type: str}
  state_dir: {description: poolnet's journal, lock and ownership directory., type: path}
  allow_disruptive: {description: Allow changes to the management path., type: bool, default: false}
  force: {description: Log out iSCSI sessions / delete vports whose LUNs are in use., type: bool, default: false}
  binary: {description: The poolnet executable., type: path, default: poolnet}
supports_check_mode: true
"""

import json

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            file=dict(type="path", required=True),
            host=dict(type="str", required=True),
            netns=dict(type="str"),
            state_dir=dict(type="path"),
            allow_disruptive=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
            binary=dict(type="path", default="poolnet"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    binary = module.get_bin_path(p["binary"], required=True, opt_dirs=["/usr/local/bin", "/usr/local/sbin"])
    command = "plan" if module.check_mode else "apply"
    argv = [binary, command, p["file"], "--host", p["host"], "--json"]
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
    lines = [c["op"] + " " + c["summary"] for c in result.get("changes", [])]
    problems = [p_["object"] + ": " + p_["message"] for p_ in result.get("problems", [])]
    if rc not in (0, 2) or problems:
        module.fail_json(msg=(err.strip() or "poolnet %s exited %d" % (command, rc)), rc=rc, cmd=argv,
                         changes=lines, problems=problems, stderr=err)
    module.exit_json(
        changed=(rc == 2),
        # Not "rc": Ansible fails any task whose result has a non-zero rc, and 2 means "changed".
        exit_code=rc,
        cmd=argv,
        changes=lines,
        health=[h["object"] + ": " + h["message"] for h in result.get("health", [])],
        diff=dict(before="", after="\n".join(lines) + ("\n" if lines else ""),
                  before_header="host %s (live)" % p["host"], after_header="pool file"),
        poolnet=result,
    )


if __name__ == "__main__":
    main()
