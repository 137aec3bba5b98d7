"""docker-compose files: name an env file in a service's `env_file`, keeping every other byte.

The file is never dumped back from PyYAML (that would drop comments, quotes and order): one
line, `env_file: .env-local`, is inserted right below the service's key, indented as the
service's own keys are. The result is parsed again and must be the original document plus
that one key, or nothing is changed.
"""

from __future__ import annotations

from refactor_app.textfile import split_lines


def add_env_file(text: str, service: str, env_file: str, newline: str) -> str | None:
    """`text` with `env_file: <env_file>` added to the block-style service `service`; None when
    the service is not written so (flow style, one line, anchors that move keys) or already has
    an env_file."""
    import yaml

    try:
        root = yaml.compose(text)
        before = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    key_node, value_node = _service_nodes(root, service)
    if key_node is None or not isinstance(value_node, yaml.MappingNode) or value_node.flow_style:
        return None
    if not value_node.value or any(getattr(key, "value", None) == "env_file" for key, _ in value_node.value):
        return None
    first_key = value_node.value[0][0]
    lines = split_lines(text)
    key_line, first_line = key_node.start_mark.line, first_key.start_mark.line
    if first_line <= key_line or first_line >= len(lines):
        return None  # `web: {...}` or keys on the service's own line
    indent = lines[first_line][: first_key.start_mark.column]
    if indent.strip():
        return None  # something precedes the first key on its line
    lines.insert(key_line + 1, f"{indent}env_file: {env_file}{newline}")
    if not lines[key_line].endswith(("\n", "\r")):
        return None
    changed = "".join(lines)
    try:
        after = yaml.safe_load(changed)
    except yaml.YAMLError:
        return None
    expected = before
    try:
        expected["services"][service]["env_file"] = env_file
    except (TypeError, KeyError):
        return None
    return changed if after == expected else None


def _service_nodes(root, service: str):
    """The key and value nodes of `services: <service>:` in a composed document, or (None, None)."""
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return None, None
    for key, value in root.value:
        if getattr(key, "value", None) == "services" and isinstance(value, yaml.MappingNode):
            for service_key, service_value in value.value:
                if getattr(service_key, "value", None) == service:
                    return service_key, service_value
    return None, None
