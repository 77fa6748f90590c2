"""Venture projects (公益创投): staff publish a call with a budget, criteria and a panel
(``calls``); organisations bid until the deadline (``bids``); the panel scores, residents vote
(``panel``); the bids are ranked (``ranking``, read by ``standing``) and the top-ranked bid is
awarded a grant (``award``), paid from the community fund milestone by milestone as each report is
accepted (``milestones``).

Every write to a call, its bids, scores, votes or milestones locks the call first, then the bid,
then the milestone: what an award or a payment checks cannot change under it.
"""
