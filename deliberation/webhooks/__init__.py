"""Webhooks for agencies' systems (issue 19): a staff-configured URL receives signed JSON when
one of the agency's consultations closes, a theme response is published, or a plan is submitted
or decided. Deliveries are rows written in the same transaction as the change and sent after
its commit; failures are retried with backoff (`operations`, app/webhooks)."""
