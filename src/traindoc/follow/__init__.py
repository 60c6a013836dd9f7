"""Following running jobs from outside: tail their logs, diagnose as they grow, say what is new.

``traindoc diagnose --follow PATH...`` is the command; ``Follower`` is the library entry point.
Reading is incremental (``tail_*`` modules keep byte offsets and parse only complete new records);
the rules are the same registry ``diagnose`` uses, so the final summary equals a later ``diagnose``.
"""

from .loop import Follower, FollowOptions, exit_code

__all__ = ["Follower", "FollowOptions", "exit_code"]
