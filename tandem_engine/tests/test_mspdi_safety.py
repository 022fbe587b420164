"""The MSPDI reader refuses unsafe or oversized documents with a clear error."""

from __future__ import annotations

import pytest

from tandem_engine import MspdiError, read_mspdi

NS = b"http://schemas.microsoft.com/project"


def test_it_refuses_entity_expansion() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b"<Project xmlns='" + NS + b"'><Name>&lol2;</Name></Project>"
    )
    with pytest.raises(MspdiError, match="unsafe"):
        read_mspdi(bomb)


def test_it_refuses_external_entities() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project>&x;</Project>'
    with pytest.raises(MspdiError, match="unsafe"):
        read_mspdi(xxe)


def test_it_refuses_oversized_files() -> None:
    with pytest.raises(MspdiError, match="limit"):
        read_mspdi(b"<Project xmlns='" + NS + b"'>" + b" " * 2000 + b"</Project>", max_bytes=1000)


def test_it_refuses_other_documents() -> None:
    with pytest.raises(MspdiError, match="not an MSPDI"):
        read_mspdi(b"<html/>")
    with pytest.raises(MspdiError, match="malformed"):
        read_mspdi(b"<Project")


def test_it_reads_a_minimal_plan() -> None:
    document = b"""<Project xmlns='http://schemas.microsoft.com/project'>
      <StartDate>2026-11-23T08:00:00</StartDate><CalendarUID>1</CalendarUID>
      <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar></Calendar></Calendars>
      <Tasks>
        <Task><UID>0</UID><OutlineLevel>0</OutlineLevel><Summary>1</Summary></Task>
        <Task><UID>1</UID><Name>Design</Name><OutlineLevel>1</OutlineLevel><Duration>PT16H0M0S</Duration></Task>
        <Task><UID>2</UID><Name>Build</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
          <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>4800</LinkLag>
          <LagFormat>7</LagFormat></PredecessorLink></Task>
      </Tasks></Project>"""
    project = read_mspdi(document)
    (link,) = project.network.links
    assert (link.predecessor, link.successor, link.lag) == (1, 2, 480.0)
    assert project.names[2] == "Build"
    assert [a.duration for a in project.network.activities] == [960, 480]
