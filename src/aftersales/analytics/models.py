"""The dashboard keeps no tables of its own: it reads the maintained ticket counts
(``tickets.models.TicketCount``, written by ``tickets.counts``)."""
