// Rule files, evaluation and alert state: see README.md. Built in issue 7.
export {};
