"""Records as text to edit in $EDITOR: Markdown with YAML front matter, and back.

An article's description and a topic's summary are the Markdown body; every
other field is in the front matter. Parsing back checks the shape and reads
dates; the knowledge base validates the rest as it would for any edit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mfgkb.errors import UsageError, ValidationError
from mfgkb.models import Article, Figure, KeyTerm, Topic, printable

_HELP = "<!-- mfgkb: edit the fields above and the text below, then save and close. -->\n"


def run_editor(text: str, suffix: str = ".md") -> str | None:
    """Let the user edit ``text`` in $VISUAL or $EDITOR; None if the file was not saved."""
    import os
    import shlex
    import shutil
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command and not (sys.stdin.isatty() and sys.stdout.isatty()):
        # vi or nano would wait for keys no one can press (a script, a pipe).
        raise UsageError(
            "--editor needs a terminal; set EDITOR to a command that edits a file in place."
        )
    if not command:
        found = next((e for e in ("nano", "vi", "notepad") if shutil.which(e)), None)
        if found is None:
            raise ValidationError("No editor found; set the EDITOR variable, e.g. EDITOR=nano.")
        command = found
    fd, name = tempfile.mkstemp(prefix="mfgkb-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        before = path.stat().st_mtime_ns
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise ValidationError(
                f"The EDITOR setting '{command}' cannot be read ({exc})."
            ) from None
        try:
            done = subprocess.run([*argv, str(path)], check=False)
        except OSError as exc:
            raise ValidationError(
                f"The editor '{command}' could not be started ({exc.strerror}); set EDITOR."
            ) from None
        if done.returncode != 0:
            raise ValidationError(f"The editor '{command}' exited with {done.returncode}.")
        if path.stat().st_mtime_ns == before:
            return None
        raw = path.read_bytes()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            # Keep what was typed: the temporary file is about to go.
            kept = Path(tempfile.mkstemp(prefix="mfgkb-edit-", suffix=suffix)[1])
            kept.write_bytes(raw)
            raise ValidationError(
                f"The edited text is not UTF-8; nothing was saved, your edit is kept in {kept}."
            ) from None
    finally:
        path.unlink(missing_ok=True)


def _shows_as_is(text: str) -> bool:
    return printable(text, multiline=True) == text


def _dumper() -> type[Any]:
    import yaml

    class Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML ships no types
        """YAML that puts no control or format character into the editor's file.

        A text holding one is written double-quoted with every non-ASCII
        character escaped (``\\e``, ``\\u202E``): the editor shows inert
        characters and YAML reads back the exact text.
        """

        def analyze_scalar(self, scalar: str) -> Any:
            analysis = super().analyze_scalar(scalar)
            if not _shows_as_is(scalar):
                analysis.allow_flow_plain = analysis.allow_block_plain = False
                analysis.allow_single_quoted = analysis.allow_block = False
            return analysis

        def write_double_quoted(self, text: str, split: bool = True) -> None:
            if _shows_as_is(text):
                super().write_double_quoted(text, split)
                return
            self.allow_unicode = False
            try:
                super().write_double_quoted(text, split)
            finally:
                self.allow_unicode = True

    return Dumper


def _dump(front: dict[str, Any], body: str, body_field: str) -> str:
    import yaml

    if not _shows_as_is(body):
        # The Markdown body would show the characters raw: it goes into the
        # front matter instead, escaped like the other fields.
        front, body = {**front, body_field: body}, ""
    head = yaml.dump(front, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{head}---\n{_HELP}\n{body.strip()}\n"


def _body(front: dict[str, Any], body: str, body_field: str) -> str:
    """The body text, from below the front matter or from the front matter's field."""
    if body_field not in front:
        return body
    if body:
        raise ValidationError(
            f"The {body_field} is both in the front matter and below it; keep one of them."
        )
    return _text(front.pop(body_field), body_field)


def _load(text: str) -> tuple[dict[str, Any], str]:
    import frontmatter
    import yaml

    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise ValidationError(f"The front matter is not valid YAML ({exc}); fix it.") from None
    body = "\n".join(line for line in post.content.splitlines() if line != _HELP.strip())
    return dict(post.metadata), body.strip()


def _strings(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    raise ValidationError(f"'{field}' must be a list of texts; write it as [a, b] or one per line.")


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValidationError(f"'{field}' must be a single text.")


def article_document(article: Article) -> str:
    front = {
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published.isoformat(),
        "url": article.url or "",
        "source": article.source,
        "topics": list(article.topics),
        "tags": list(article.tags),
    }
    return _dump(front, article.description, "description")


def article_changes(text: str, *, dayfirst: bool = False) -> dict[str, Any]:
    """The fields of an edited article document, ready for ``edit_article``."""
    from mfgkb.dates import parse_date

    front, body = _load(text)
    body = _body(front, body, "description")
    unknown = set(front) - {"title", "authors", "published", "url", "source", "topics", "tags"}
    if unknown:
        raise ValidationError(f"Unknown field(s) {', '.join(sorted(unknown))}; remove them.")
    published = front.get("published")
    if isinstance(published, datetime):  # YAML reads "2024-01-02 10:30" as a datetime
        published = published.date()
    return {
        "title": _text(front.get("title"), "title"),
        "authors": _strings(front.get("authors"), "authors"),
        "published": published
        if isinstance(published, date)
        else parse_date(_text(published, "published"), dayfirst=dayfirst),
        "url": _text(front.get("url"), "url") or None,
        "source": _text(front.get("source"), "source"),
        "topics": _strings(front.get("topics"), "topics"),
        "tags": _strings(front.get("tags"), "tags"),
        "description": body,
    }


def topic_document(topic: Topic) -> str:
    front: dict[str, Any] = {
        "title": topic.title,
        "aliases": list(topic.aliases),
        "related": list(topic.related),
        "key_terms": [
            {k: v for k, v in kt.to_dict().items() if v is not None} for kt in topic.key_terms
        ],
        "figures": [{k: v for k, v in f.to_dict().items() if v is not None} for f in topic.figures],
    }
    return _dump(front, topic.summary, "summary")


def _flat(entry: Any) -> bool:
    """A key term or figure: a mapping of plain values, not nested lists or mappings."""
    return isinstance(entry, dict) and all(
        v is None or isinstance(v, (str, int, float)) for v in entry.values()
    )


def topic_changes(text: str) -> dict[str, Any]:
    """The fields of an edited topic document, ready for ``edit_topic``."""
    front, body = _load(text)
    body = _body(front, body, "summary")
    unknown = set(front) - {"title", "aliases", "related", "key_terms", "figures"}
    if unknown:
        raise ValidationError(f"Unknown field(s) {', '.join(sorted(unknown))}; remove them.")
    terms, figures = front.get("key_terms") or [], front.get("figures") or []
    if not isinstance(terms, list) or not all(_flat(t) for t in terms):
        raise ValidationError("'key_terms' must be a list of {term, definition, topic} entries.")
    if not isinstance(figures, list) or not all(_flat(f) for f in figures):
        raise ValidationError("'figures' must be a list of {label, value, year, source} entries.")
    try:
        key_terms = [KeyTerm.from_dict(t) for t in terms]
        figure_list = [Figure.from_dict(f) for f in figures]
    except KeyError as exc:
        raise ValidationError(f"A key term or figure has no {exc.args[0]!r}; add it.") from None
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"A key term or figure is not valid ({exc}).") from None
    return {
        "title": _text(front.get("title"), "title"),
        "aliases": _strings(front.get("aliases"), "aliases"),
        "related": _strings(front.get("related"), "related"),
        "key_terms": key_terms,
        "figures": figure_list,
        "summary": body,
    }
