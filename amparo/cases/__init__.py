"""Cases: the caseworkers' unit of work about one defender (workflow, assignees, notes, tasks,
links to findings, messages and evidence, activity). `policy` decides who sees what;
`service` holds the functions the CLI and the web both call."""
