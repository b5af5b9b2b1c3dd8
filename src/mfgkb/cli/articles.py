"""Article commands: add-article, articles, article, edit-article, remove-article, link,
unlink, open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mfgkb import views
from mfgkb.cli.context import kb_of
from mfgkb.cli.options import (
    ArticleLayoutOpt,
    AuthorOpt,
    AuthorsOpt,
    DayfirstOpt,
    EditorOpt,
    IdArg,
    JsonOpt,
    Layout,
    LimitOpt,
    PagerOpt,
    SinceOpt,
    Sort,
    SortOpt,
    SourceOpt,
    TagOpt,
    TagsOpt,
    TopicArg,
    TopicOpt,
    TopicsOpt,
    UntilOpt,
    date_of,
    date_option,
    filters,
    limit_of,
)
from mfgkb.errors import MfgkbError, NotFoundError, UsageError, ValidationError
from mfgkb.models import Article, printable

if TYPE_CHECKING:
    from mfgkb.results import Saved


def add_article(
    ctx: typer.Context,
    title: Annotated[str | None, typer.Option("--title", help="The article's title.")] = None,
    author: AuthorsOpt = None,
    date_: Annotated[
        str | None,
        typer.Option(
            "--date", help="Publication date: 'October 10, 2025', 2025-10-10, today, '3 days ago'."
        ),
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Web address (http or https).")] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="A short description.")
    ] = None,
    topic: TopicsOpt = None,
    tag: TagsOpt = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Publication or site name.")
    ] = None,
    dayfirst: DayfirstOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Add an article and print its new id. At a terminal, asks for a missing title or date.

    A date without a year, or text that is not a date, is refused rather than guessed.
    A URL that is already stored is refused with the id of the article that has
    it. URLs are compared ignoring http/https, host case, a default port, a
    trailing slash, the fragment, the order of query parameters and tracking
    parameters (utm_*, fbclid, gclid, ...).

    \b
    Example: mfgkb add-article \\
      --title "Is the US Still the Global Manufacturing Leader?" \\
      --author "Jedrik Hastings" --date "October 10, 2025" \\
      --topic advanced-manufacturing
    """
    from mfgkb.cli import prompts  # only where a question may be asked
    from mfgkb.kb import article_draft
    from mfgkb.models import MAX_TITLE, clean_text

    title = prompts.prompt_missing(
        title, "Title", "--title", lambda t: clean_text(t, "title", MAX_TITLE, required=True)
    )
    when = prompts.prompt_missing(
        date_, "Publication date", "--date", lambda d: date_of(d, dayfirst=dayfirst)
    )
    published = date_option(when, dayfirst)
    draft = article_draft(
        title=title,
        published=published,
        authors=author or [],
        description=description or "",
        url=url,
        topics=topic or [],
        tags=tag or [],
        source=source or "",
    )
    from mfgkb.results import Saved

    views.emit(Saved(kb_of(ctx).add_article(draft), added=True), json=json_)


def articles(
    ctx: typer.Context,
    topic: TopicOpt = None,
    author: AuthorOpt = None,
    tag: TagOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    sort: SortOpt = Sort.published,
    limit: LimitOpt = 50,
    dayfirst: DayfirstOpt = False,
    layout: ArticleLayoutOpt = Layout.auto,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """List articles, newest first, filtered by topic, author, tag, source and date.

    At a narrow terminal each article takes two lines (its title, then date,
    authors, source and topics); from 120 columns on, a table. --format chooses.

    \b
    Example: mfgkb articles --topic advanced-manufacturing --since 2025 \\
      --limit 20
    """
    chosen = filters(
        topic=topic,
        author=author,
        tag=tag,
        source=source,
        since=since,
        until=until,
        dayfirst=dayfirst,
    )
    found, total = kb_of(ctx).articles(chosen, sort=sort.value, limit=limit_of(limit))
    from mfgkb.results import ArticleList

    views.emit(ArticleList(found, total), json=json_, pager=pager, layout=layout.value)


def article(ctx: typer.Context, article_id: IdArg, json_: JsonOpt = False) -> None:
    """Show one article in full.

    \b
    Example: mfgkb article 1
    """
    views.emit(kb_of(ctx).article(article_id), json=json_)


def edit_article(
    ctx: typer.Context,
    article_id: IdArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", help="Replace the authors (repeatable).")
    ] = None,
    date_: Annotated[
        str | None, typer.Option("--date", help="New publication date (also today, '3 days ago').")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="New URL; '' removes it.")] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="New description.")
    ] = None,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", help="Replace the topics (repeatable).")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Replace the tags (repeatable).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="New source.")] = None,
    editor: EditorOpt = False,
    dayfirst: DayfirstOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Change an article. Each option given replaces that field; others stay as they are.

    With --editor, the whole article opens in $EDITOR as Markdown with YAML front
    matter; a bad edit is shown again rather than lost.

    \b
    Example: mfgkb edit-article 1 --source "Industry Weekly" \\
      --tag policy --tag united-states
    """
    from mfgkb.cli import prompts  # only where a question may be asked

    changes: dict[str, Any] = {}
    for name, value in (
        ("title", title),
        ("authors", author),
        ("url", url),
        ("description", description),
        ("topics", topic),
        ("tags", tag),
        ("source", source),
    ):
        if value is not None:
            changes[name] = value
    if date_ is not None:
        changes["published"] = date_option(date_, dayfirst)
    kb = kb_of(ctx)

    def in_editor() -> Saved | None:
        from mfgkb import editing

        current = kb.article(article_id)
        return prompts.edit_in_editor(
            editing.article_document(current),
            # ``expected``: what the editor showed; another process's change
            # made meanwhile is refused rather than silently overwritten.
            lambda text: kb.edit_article(
                article_id, editing.article_changes(text, dayfirst=dayfirst), expected=current
            ),
        )

    updated = prompts.apply_edit(
        changes,
        editor=editor,
        in_editor=in_editor,
        directly=lambda c: kb.edit_article(article_id, c),
    )
    if updated is not None:
        views.emit(updated, json=json_)


def remove_article(
    ctx: typer.Context,
    article_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an article (after asking). Its id is never given to another article.

    \b
    Example: mfgkb remove-article 12 --yes
    """
    from mfgkb.cli import prompts  # only where a question may be asked

    kb = kb_of(ctx)
    if not yes:
        found = kb.article(article_id)
        if not prompts.stdin_is_terminal():
            raise UsageError(f"Removing article {article_id} needs confirmation; add --yes.")
        if not prompts.confirm(f"Remove article {article_id}, {printable(found.title)!r}?"):
            raise ValidationError(f"Article {article_id} was not removed: not confirmed.")
    removed = kb.remove_article(article_id)
    from mfgkb.results import Notice

    views.emit(Notice(f"Removed article {removed.id}."))


def _link(ctx: typer.Context, article_id: int, topic: str, *, add: bool) -> None:
    done = kb_of(ctx).link(article_id, topic, add=add)
    article = done.record
    assert isinstance(article, Article)
    linked = ", ".join(article.topics) or "no topics"
    from mfgkb.results import Notice

    if done.changed:
        text = f"Article {article.id} is linked to: {linked}."
    else:  # nothing written; named by its slug, whichever of its names was given
        slug = kb_of(ctx).resolve_topic(topic)
        if add:
            text = f"Article {article.id} is already linked to {slug}."
        else:
            text = (
                f"Article {article.id} is not linked to {slug}; nothing to unlink "
                f"(its topics: {', '.join(article.topics) or 'none'})."
            )
    views.emit(Notice(text))


def link(
    ctx: typer.Context,
    article_id: IdArg,
    topic: TopicArg,
) -> None:
    """Link an article to a topic.

    \b
    Example: mfgkb link 1 chips-act
    """
    _link(ctx, article_id, topic, add=True)


def unlink(
    ctx: typer.Context,
    article_id: IdArg,
    topic: TopicArg,
) -> None:
    """Remove the link between an article and a topic.

    \b
    Example: mfgkb unlink 1 chips-act
    """
    _link(ctx, article_id, topic, add=False)


def open_(ctx: typer.Context, article_id: IdArg) -> None:
    """Open an article's URL in the web browser.

    \b
    Example: mfgkb open 12
    """
    found = kb_of(ctx).article(article_id)
    if not found.url:
        raise NotFoundError(
            f"Article {article_id} has no URL; add one with: mfgkb edit-article "
            f"{article_id} --url https://..."
        )
    import webbrowser

    from mfgkb.models import validate_url

    url = validate_url(found.url)  # a hand edit could have put anything there
    if not webbrowser.open(url):
        raise MfgkbError(f"No web browser could be started; open {url} yourself.")
