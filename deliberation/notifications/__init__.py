"""Notifications and follows: what a person hears about, and what they chose to hear about.

- ``models``      Notification (one message to one person, read or unread) and Follow
- ``rules``       pure: the kinds, who may follow what, @mentions in a text
- ``operations``  writing: notify, mark read, follow / unfollow, and the fan-out of an event
                  (run as a background job after the commit that caused it)
- ``queries``     reading: a person's notifications, the unread count, what they follow

Kept import-free on purpose: ``deliberation.models`` imports ``notifications.models``.
"""
