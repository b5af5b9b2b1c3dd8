# What ``mfgkb.kb`` exports, for type checkers: at run time __init__.py loads
# these on first use (see its docstring), which a checker cannot follow.
from mfgkb.kb.articles import article_draft as article_draft
from mfgkb.kb.facade import KnowledgeBase as KnowledgeBase
from mfgkb.kb.lifecycle import index_path_for as index_path_for

__all__ = ["KnowledgeBase", "article_draft", "index_path_for"]
