from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core.scoping import forget_memberships, forget_request_memo


class ProjectsConfig(AppConfig):
    """Projects, memberships, decision rights, invitations and the charter."""

    name = "tandem.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        """A membership saved or deleted (by a service, a cascade or the admin) is forgotten by the
        request that remembered the memberships (``core.scoping.remembering_memberships``); the charters
        waiting for confirmation join the inbox, whose counts are compiled once per seat signature."""
        from django.db.models.signals import post_delete, post_save

        from tandem.core import inbox
        from tandem.projects.inbox import charters_to_confirm, count_charters, count_key
        from tandem.projects.models import DecisionRight, Membership

        inbox.register("charter", charters_to_confirm, count=count_charters)
        inbox.key_counts_by(count_key)

        post_save.connect(_forget_memberships, sender=Membership, dispatch_uid="tandem-forget-memberships")
        post_delete.connect(
            _forget_memberships, sender=Membership, dispatch_uid="tandem-forget-memberships-d"
        )
        post_save.connect(_forget_rights, sender=DecisionRight, dispatch_uid="tandem-forget-rights")
        post_delete.connect(_forget_rights, sender=DecisionRight, dispatch_uid="tandem-forget-rights-d")


def _forget_memberships(**kwargs: object) -> None:
    forget_memberships()


def _forget_rights(**kwargs: object) -> None:
    from tandem.projects.permissions import RIGHTS_MEMO

    forget_request_memo(RIGHTS_MEMO)
