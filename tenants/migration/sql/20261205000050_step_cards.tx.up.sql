-- 环节时限 cards: the running back-office step past its due date or in its yellow window is a
-- card of its own rule (services/supervision/cards.go, RuleStepOverdue, subject 'step').
ALTER TABLE supervision.cards DROP CONSTRAINT cards_rule_check;
ALTER TABLE supervision.cards ADD CONSTRAINT cards_rule_check
    CHECK (rule IN ('overdue', 'refusal_unstated', 'repeat_corrections', 'late_callback', 'step_overdue'));
