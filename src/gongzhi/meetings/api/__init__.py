"""The JSON API of joint conferences (``/api/meetings/``): every action of the registry
(actions.py) through the same runner as the pages, with the same permissions, for a
session or a bearer token; every answer about an object lists what the account may do
to it now (``allowed``)."""

from gongzhi.meetings.api import bodies, decisions, meetings, topics
from gongzhi.meetings.api.router import router

__all__ = ["bodies", "decisions", "meetings", "router", "topics"]
