"""The learning layer: what seatcast fits from earlier elections and other pre-election evidence."""
