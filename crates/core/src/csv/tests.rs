use std::collections::HashMap;

use proptest::prelude::*;

use super::*;
use crate::limits::Limits;
use crate::models::ocp::NumberRecord;

fn number(i: usize) -> String {
    format!("+1201{:07}", i)
}

fn ops_file(ops: &[Operation]) -> String {
    let mut s = String::from("OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,NOTE\n");
    for (i, op) in ops.iter().enumerate() {
        let n = number(i);
        let row = match op {
            Operation::Create => format!("create,{n},ocp,twilio,,,\n"),
            Operation::Attach => format!("attach,{n},,,app-{i},en-US,\n"),
            Operation::Update => format!("update,{n},,,,,note {i}\n"),
            Operation::Detach => format!("detach,{n},,,,,\n"),
            Operation::Delete => format!("delete,{n},,,,,\n"),
        };
        s.push_str(&row);
    }
    s
}

fn op_strategy() -> impl Strategy<Value = Operation> {
    prop_oneof![
        Just(Operation::Create),
        Just(Operation::Update),
        Just(Operation::Attach),
        Just(Operation::Detach),
        Just(Operation::Delete),
    ]
}

fn limits_strategy() -> impl Strategy<Value = Limits> {
    (1usize..20, 1usize..20, 1usize..20, 1usize..20, 1usize..20).prop_map(|(u, a, dt, dl, c)| {
        Limits {
            update: u,
            attach: a,
            detach: dt,
            delete: dl,
            create: c,
        }
    })
}

proptest! {
    #[test]
    fn plans_put_every_row_in_one_batch_within_limits_in_the_fewest_batches(
        ops in proptest::collection::vec(op_strategy(), 0..300),
        limits in limits_strategy(),
    ) {
        prop_assume!(!ops.is_empty());
        let table = read(ops_file(&ops).as_bytes()).expect("reads");
        let v = validate(&table);
        prop_assert!(v.is_valid(), "{:?}", v.problems);
        let plan = plan(&v, &limits).expect("plans");

        let mut seen = vec![0u32; ops.len()];
        for b in &plan.batches {
            prop_assert!(!b.rows.is_empty());
            for op in Operation::ALL {
                let n = b.rows.iter().filter(|&&r| v.operations[r] == Some(op)).count();
                prop_assert_eq!(n, b.counts.get(op));
                prop_assert!(n <= limits.get(op), "{} {} rows over {}", n, op, limits.get(op));
            }
            prop_assert!(b.rows.windows(2).all(|w| w[0] < w[1]), "file order kept");
            for &r in &b.rows { seen[r] += 1; }
        }
        prop_assert!(seen.iter().all(|&s| s == 1), "every row in exactly one batch");
        let fewest = Operation::ALL
            .iter()
            .map(|&op| v.counts.get(op).div_ceil(limits.get(op)))
            .max()
            .unwrap_or(0);
        prop_assert_eq!(plan.batches.len(), fewest);
    }

    #[test]
    fn guard_then_unguard_is_identity(s in "(\\PC|[;,\t\r\n=+@'-]){0,40}") {
        let guarded = guard_cell(&s);
        prop_assert_eq!(unguard_cell(&guarded), s.as_str());
        // Wherever a spreadsheet may split the cell, no part starts a formula.
        for part in guarded.split([';', ',', '\t', '\r', '\n']) {
            let starts_like_formula = matches!(part.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@'));
            let plain_number = part.trim_start_matches(['+', '-']).bytes().all(|b| b.is_ascii_digit() || b == b'.');
            prop_assert!(!starts_like_formula || plain_number, "{:?} of {:?} could run as a formula", part, guarded);
        }
    }

    #[test]
    fn exports_and_reverts_in_parts_join_to_the_whole_file(
        records in proptest::collection::vec(record_strategy(), 0..40),
        ops in proptest::collection::vec(op_strategy(), 1..60),
        rows in 1usize..8,
    ) {
        let parts: Vec<String> = export_parts(&records, rows).collect();
        prop_assert_eq!(parts.len(), records.len().div_ceil(rows).max(1));
        prop_assert_eq!(parts.concat(), export(&records));

        let table = read(ops_file(&ops).as_bytes()).expect("reads");
        let v = validate(&table);
        // The file's numbers, as the generated records hold their fields.
        let before: HashMap<String, NumberRecord> = records
            .iter()
            .enumerate()
            .map(|(i, r)| (number(i), NumberRecord { number: number(i), ..r.clone() }))
            .collect();
        let whole = revert(&table, &v, &before, "twilio");
        prop_assert_eq!(revert_parts(&table, &v, &before, "twilio", rows).collect::<String>(), whole);
    }

    #[test]
    fn backups_and_reverts_written_as_numbers_arrive_hold_the_same_rows(
        records in proptest::collection::vec(record_strategy(), 0..40),
        ops in proptest::collection::vec(op_strategy(), 1..60),
        seed in any::<u64>(),
    ) {
        let table = read(ops_file(&ops).as_bytes()).expect("reads");
        let v = validate(&table);
        let before: Vec<NumberRecord> = records
            .iter()
            .enumerate()
            .map(|(i, r)| NumberRecord { number: number(i), ..r.clone() })
            .collect();
        let map: HashMap<String, NumberRecord> =
            before.iter().map(|r| (r.number.clone(), r.clone())).collect();
        // The provider lists them in an order of its own, some twice.
        let mut arriving: Vec<&NumberRecord> = before.iter().chain(before.iter().take(3)).collect();
        let mut state = seed;
        for i in (1..arriving.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            arriving.swap(i, (state >> 33) as usize % (i + 1));
        }
        let mut backup = BackupWriter::default();
        let mut revert_w = RevertWriter::new(&table, &v, "twilio");
        for r in arriving {
            if revert_w.wants(&r.number) {
                backup.push(r);
                revert_w.arrived(r);
            }
        }
        let sorted = |text: String| {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines[1..].sort();
            lines
        };
        prop_assert_eq!(sorted(revert_w.finish()), sorted(revert(&table, &v, &map, "twilio")));
        let touched: Vec<&NumberRecord> = before
            .iter()
            .filter(|r| v.numbered_rows(&table).any(|(_, _, n)| n == r.number))
            .collect();
        prop_assert_eq!(sorted(backup.finish()), sorted(export(&touched)));
    }

    #[test]
    fn export_then_read_gives_the_same_records(records in proptest::collection::vec(record_strategy(), 1..40)) {
        let text = export(&records);
        let table = read(text.as_bytes()).expect("reads its own export");
        prop_assert_eq!(table.len(), records.len());
        for (row, r) in records.iter().enumerate() {
            let cells = export_cells(r);
            for (i, c) in EXPORT_COLUMNS.iter().enumerate() {
                prop_assert_eq!(table.text(row, *c), cells[i].trim(), "column {}", c);
            }
        }
    }
}

fn record_strategy() -> impl Strategy<Value = NumberRecord> {
    let text = "[ -~]{0,12}|=[a-z(\"]{1,8}|\\+[0-9]{3}|@x|-[a-z]{2}|'=x";
    (
        "\\+[1-9][0-9]{9}",
        proptest::option::of(text),
        proptest::option::of("[a-z-]{1,8}"),
        proptest::option::of(text),
        proptest::option::of("(first|second)\nline, \"quoted\""),
    )
        .prop_map(|(number, tag, group, note, multi)| NumberRecord {
            number,
            application_tag: tag.map(|t| t.trim().to_string()),
            group_id: group,
            note: note.or(multi).map(|t| t.trim().to_string()),
            ..Default::default()
        })
}

#[test]
fn plain_numbers_are_not_guarded_but_formulas_are() {
    assert_eq!(guard_cell("+12012049893"), "+12012049893");
    assert_eq!(guard_cell("-5"), "-5");
    assert_eq!(guard_cell("+1+1"), "'+1+1");
    assert_eq!(guard_cell("=1+1"), "'=1+1");
    assert_eq!(guard_cell("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
    assert_eq!(guard_cell("\tx"), "'\tx");
    assert_eq!(guard_cell("'=x"), "''=x");
    assert_eq!(guard_cell("it's"), "it's");
}

#[test]
fn a_formula_after_a_split_character_is_guarded_where_it_starts() {
    // A de-DE spreadsheet splits a comma file on ';': `=1+1` would be a cell.
    assert_eq!(guard_cell("x;=1+1;y"), "x;'=1+1;y");
    assert_eq!(guard_cell("a, @SUM(1)"), "a, @SUM(1)");
    assert_eq!(guard_cell("a,@SUM(1)"), "a,'@SUM(1)");
    assert_eq!(guard_cell("a\t-cmd|x"), "a\t'-cmd|x");
    assert_eq!(
        guard_cell("first\r\n=HYPERLINK(\"x\")"),
        "first\r\n'=HYPERLINK(\"x\")"
    );
    // Read whole, two numbers with a `;` are no number: guarded at the start.
    assert_eq!(
        guard_cell("+12015550100;+12015550101"),
        "'+12015550100;+12015550101"
    );
    assert_eq!(guard_cell("x;+12015550101"), "x;+12015550101");
    assert_eq!(guard_cell("=1;=2"), "'=1;'=2");
    assert_eq!(unguard_cell("x;'=1+1;y"), "x;=1+1;y");
    assert_eq!(unguard_cell("'=1;'=2"), "=1;=2");
    // A quote of the person's own, where no formula follows, stays.
    assert_eq!(unguard_cell("x;'y"), "x;'y");
}

#[test]
fn an_export_with_guards_inside_cells_reads_back_as_it_was() {
    let record = NumberRecord {
        number: "+12015550100".into(),
        note: Some("x;=1+1;y".into()),
        application_tag: Some("a,@b".into()),
        ..Default::default()
    };
    let text = export(std::slice::from_ref(&record));
    assert!(text.contains("x;'=1+1;y"), "{text}");
    let table = read(text.as_bytes()).expect("reads its own export");
    assert_eq!(table.text(0, Column::Note), "x;=1+1;y");
    assert_eq!(table.text(0, Column::ApplicationTag), "a,@b");
    let v = validate(&table);
    assert!(
        v.problems.iter().all(|p| !p.message.contains("formula")),
        "{:?}",
        v.problems
    );
}

#[test]
fn export_has_the_documented_columns_in_order() {
    let text = export(&[NumberRecord {
        number: "+12012049893".into(),
        country: Some("US".into()),
        group_id: Some("ocp".into()),
        note: Some("=cmd".into()),
        ..Default::default()
    }]);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("APPLICATION_TAG,COUNTRY,GROUP_ID,LOCALE,MINIAPP_DIAMANT_APP_NAME,MINIAPP_GROUP,MINIAPP_ID,MINIAPP_NAME,MINIAPP_TYPE,NUMBER,PHONE_NUMBER_SET_ID,NOTE")
    );
    assert_eq!(lines.next(), Some(",US,ocp,,,,,,,+12012049893,,'=cmd"));
}

#[test]
fn an_export_with_an_operation_column_is_a_valid_operations_file() {
    let records: Vec<NumberRecord> = (0..3)
        .map(|i| NumberRecord {
            number: number(i),
            group_id: Some("ocp".into()),
            mini_app_id: Some("app".into()),
            locale: Some("en-US".into()),
            ..Default::default()
        })
        .collect();
    let exported = export(&records);
    let mut with_op = String::new();
    for (i, line) in exported.lines().enumerate() {
        with_op.push_str(if i == 0 { "OPERATION," } else { "attach," });
        with_op.push_str(line);
        with_op.push('\n');
    }
    let table = read(with_op.as_bytes()).expect("reads");
    let v = validate(&table);
    assert!(v.is_valid(), "{:?}", v.problems);
    assert_eq!(v.counts.get(Operation::Attach), 3);
}

#[test]
fn batches_are_written_as_csv_with_known_columns_only() {
    let text = "OPERATION,NUMBER,MY_OWN\ndelete,+12012049893,x\ndelete,+12012049894,y\n";
    let table = read(text.as_bytes()).expect("reads");
    let v = validate(&table);
    let limits = Limits {
        delete: 1,
        ..Limits::default()
    };
    let plan = plan(&v, &limits).expect("plans");
    assert_eq!(plan.batches.len(), 2);
    assert_eq!(
        plan.batch_csv(&table, 1).as_deref(),
        Some("OPERATION,NUMBER\r\ndelete,+12012049894\r\n")
    );
    assert_eq!(plan.batch_csv(&table, 2), None);
}

#[test]
fn an_invalid_file_has_no_plan() {
    let table = read(b"OPERATION,NUMBER\ndelete,123\n").expect("reads");
    let v = validate(&table);
    assert_eq!(plan(&v, &Limits::default()), Err(PlanError::InvalidRows(1)));
    let zero = Limits {
        create: 0,
        ..Limits::default()
    };
    let ok = read(b"OPERATION,NUMBER\ndelete,+12012049893\n").expect("reads");
    assert_eq!(
        plan(&validate(&ok), &zero),
        Err(PlanError::ZeroLimit(Operation::Create))
    );
}

#[test]
fn limit_problems_name_the_operation_and_the_limit() {
    let table = read(ops_file(&[Operation::Delete; 11]).as_bytes()).expect("reads");
    let v = validate(&table);
    let problems = plan::limit_problems(&table, &v.counts, &Limits::default());
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("11 Delete rows"),
        "{}",
        problems[0].message
    );
    assert!(problems[0].message.contains("at most 10"));
}

#[test]
fn errors_report_lists_bad_rows_with_their_reasons() {
    let table = read(b"OPERATION,NUMBER\ndelete,+12012049893\ndelete,12345\nnuke,+12012049894\n")
        .expect("reads");
    let v = validate(&table);
    let report = errors_report(&table, &v);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "LINE,OPERATION,NUMBER,ERRORS");
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("3,delete,12345,"));
    assert!(lines[1].contains("lacks the leading +"));
    assert!(lines[2].starts_with("4,nuke,"));
}

#[test]
fn revert_restores_what_each_operation_changed() {
    let file = "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,NOTE\n\
        create,+12010000001,ocp,twilio,,,\n\
        delete,+12010000002,,,,,\n\
        attach,+12010000003,,,new-app,fr-FR,\n\
        detach,+12010000004,,,,,\n\
        update,+12010000005,,,,,new note\n";
    let table = read(file.as_bytes()).expect("reads");
    let v = validate(&table);
    assert!(v.is_valid(), "{:?}", v.problems);
    let rec = |n: &str, app: Option<&str>, note: Option<&str>| NumberRecord {
        number: n.into(),
        group_id: Some("ocp".into()),
        country: Some("US".into()),
        mini_app_id: app.map(Into::into),
        locale: app.map(|_| "en-US".into()),
        note: note.map(Into::into),
        ..Default::default()
    };
    let before: HashMap<String, NumberRecord> = [
        rec("+12010000002", Some("old-app"), Some("keep me")),
        rec("+12010000003", None, None),
        rec("+12010000004", Some("app-4"), None),
        rec("+12010000005", None, None),
    ]
    .into_iter()
    .map(|r| (r.number.clone(), r))
    .collect();
    let text = revert(&table, &v, &before, "twilio");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "OPERATION,NUMBER,GROUP_ID,PROVIDER,COUNTRY,MINIAPP_ID,LOCALE,APPLICATION_TAG,PHONE_NUMBER_SET_ID,NOTE");
    assert_eq!(lines[1], "delete,+12010000001,,,,,,,,");
    assert_eq!(
        lines[2],
        "create,+12010000002,ocp,twilio,US,old-app,en-US,,,keep me"
    );
    assert_eq!(lines[3], "update,+12010000003,,,,<NULL>,<NULL>,,,");
    assert_eq!(lines[4], "update,+12010000004,,,,app-4,,<NULL>,,");
    assert_eq!(lines[5], "update,+12010000005,,,,,,,,<NULL>");
    // The revert file is itself a valid operations file.
    let tagged_only =
        read(b"OPERATION,NUMBER\ndetach,+12010000006\ndetach,+12010000007\n").expect("reads");
    let tv = validate(&tagged_only);
    let mut tag = rec("+12010000006", None, None);
    tag.application_tag = Some("green".into());
    let before2: HashMap<String, NumberRecord> = [tag, rec("+12010000007", None, None)]
        .into_iter()
        .map(|r| (r.number.clone(), r))
        .collect();
    let lines2: Vec<String> = revert(&tagged_only, &tv, &before2, "twilio")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines2.len(), 2, "a detach of a number with only a tag restores the tag; one with neither has nothing to restore");
    assert_eq!(lines2[1], "update,+12010000006,,,,<NULL>,,green,,");
    let back = read(text.as_bytes()).expect("reads");
    let bv = validate(&back);
    assert!(bv.is_valid(), "{:?}", bv.problems);
}

#[test]
fn a_servers_batch_lines_are_told_in_the_admins_lines() {
    let text = "OPERATION,NUMBER,NOTE\n\
                delete,+12010000001,\n\
                delete,+12010000002,\"two\nlines\"\n\
                delete,+12010000003,\n";
    let table = read(text.as_bytes()).expect("file");
    let v = validate(&table);
    let mut limits = Limits::default();
    limits.set(Operation::Delete, 2);
    let p = plan(&v, &limits).expect("plan");
    // Batch 1 holds lines 2 and 3 (a quoted note spans 3–4); batch 2 line 5.
    assert_eq!(p.batch_lines(&table, 0), vec![(2, 2), (3, 3)]);
    assert_eq!(p.batch_lines(&table, 1), vec![(2, 5)]);
    let server = "The file was not applied: 1 problem. line 2, NUMBER: +12010000003 does not exist; Lines 2 and line 20.";
    assert_eq!(
        relabel_lines(server, &p.batch_lines(&table, 1)),
        "The file was not applied: 1 problem. line 5, NUMBER: +12010000003 does not exist; Lines 5 and line 20."
    );
    assert_eq!(
        relabel_lines("pipeline 2, outline 2", &[(2, 9)]),
        "pipeline 2, outline 2"
    );
}

#[test]
fn rows_left_out_are_not_planned() {
    let table = read(ops_file(&[Operation::Delete; 5]).as_bytes()).expect("file");
    let v = validate(&table);
    let mut limits = Limits::default();
    limits.set(Operation::Delete, 2);
    let p = plan_without(&v, &limits, &[3, 1]).expect("plan");
    let rows: Vec<usize> = p.batches.iter().flat_map(|b| b.rows.clone()).collect();
    assert_eq!(rows, vec![0, 2, 4]);
    assert_eq!(p.counts.get(Operation::Delete), 3);
    assert_eq!(p.batches.len(), 2);
}

#[test]
fn formulas_behind_spaces_or_an_exports_guard_are_warned_too() {
    let text = "OPERATION,NUMBER,NOTE,APPLICATION_TAG\n\
                update,+12010000001, =HYPERLINK(\"http://x\"),-1.00\n\
                update,+12010000002,'=1+1,+3.5\n\
                update,+12010000003,' @SUM(A1),.5\n\
                update,+12010000004,'-5 days,'plain\n";
    let table = read(text.as_bytes()).expect("file");
    let warned: Vec<u64> = validate(&table)
        .warnings()
        .filter(|p| p.code == ProblemCode::FormulaCell)
        .map(|p| p.line)
        .collect();
    assert_eq!(warned, [2, 3, 4, 5], "numbers like -1.00 are not formulas");
    let stripped = read(strip_formulas(&table).as_bytes()).expect("stripped");
    assert_eq!(stripped.text(0, Column::Note), "HYPERLINK(\"http://x\")");
    assert_eq!(stripped.text(1, Column::Note), "1+1");
    assert_eq!(stripped.text(2, Column::Note), "SUM(A1)");
    assert_eq!(stripped.text(0, Column::ApplicationTag), "-1.00");
    assert!(!validate(&stripped)
        .warnings()
        .any(|p| p.code == ProblemCode::FormulaCell));
    for (cell, formula) in [
        ("-1.00", false),
        ("+12015550100", false),
        (".5", false),
        ("-", true),
        ("-.", true),
        ("  =1", true),
        ("\u{a0}+A1", true),
        ("'=1", true),
        ("''=1", false),
        ("a=1", false),
    ] {
        assert_eq!(becomes_formula(cell), formula, "{cell:?}");
    }
}

#[test]
fn formula_cells_are_warned_and_can_be_stripped() {
    let text = "OPERATION,NUMBER,NOTE,APPLICATION_TAG\n\
                update,+12010000001,=HYPERLINK(\"http://x\"),blue\n\
                update,+12010000002,@SUM(A1),-2\n\
                update,+12010000003,plain note,\n";
    let table = read(text.as_bytes()).expect("file");
    let v = validate(&table);
    let formulas: Vec<(u64, Option<std::borrow::Cow<str>>)> = v
        .warnings()
        .filter(|p| p.code == ProblemCode::FormulaCell)
        .map(|p| (p.line, p.column.clone()))
        .collect();
    assert_eq!(
        formulas,
        vec![(2, Some("NOTE".into())), (3, Some("NOTE".into()))]
    );
    assert!(v.is_valid(), "a warning does not block");
    let stripped = strip_formulas(&table);
    let again = read(stripped.as_bytes()).expect("stripped file");
    assert_eq!(again.text(0, Column::Note), "HYPERLINK(\"http://x\")");
    assert_eq!(again.text(1, Column::Note), "SUM(A1)");
    assert_eq!(
        again.text(1, Column::ApplicationTag),
        "-2",
        "a plain number is no formula"
    );
    assert_eq!(again.text(0, Column::Number), "+12010000001");
    assert!(!validate(&again)
        .warnings()
        .any(|p| p.code == ProblemCode::FormulaCell));
}

#[test]
fn a_header_problem_is_the_files_not_a_rows() {
    let table = read(b"OPERATION,GROUP_ID\ndelete,ocp\n").expect("file");
    let v = validate(&table);
    assert_eq!(v.invalid_rows(), 0, "no row is at fault");
    let file: Vec<ProblemCode> = v.file_problems().map(|p| p.code).collect();
    assert_eq!(file, vec![ProblemCode::MissingColumns]);
    assert!(!v.is_valid(), "and nothing can be sent");
    assert!(plan(&v, &Limits::default()).is_err());
}

#[test]
fn a_byte_order_mark_is_skipped_even_twice() {
    let text = "\u{feff}\u{feff}OPERATION,NUMBER\r\ndelete,+12010000001\r\n";
    let table = read(text.as_bytes()).expect("reads");
    assert_eq!(table.headers(), ["OPERATION", "NUMBER"]);
    assert_eq!(table.text(0, Column::Number), "+12010000001");
    assert_eq!(table.line(0), 2);
}

#[test]
fn failed_rows_are_the_batches_rows_with_the_servers_words_and_drop_again_cleanly() {
    let batch = "OPERATION,NUMBER,NOTE\r\nupdate,+13035550001,a\r\nupdate,+13035550002,b\r\n";
    let other = "OPERATION,NUMBER,NOTE\r\nupdate,+13035550003,c\r\n";
    let out = failed_rows([
        (batch, "line 2: no such number"),
        (other, "=HYPERLINK(\"x\")"),
    ]);
    let table = read(out.as_bytes()).expect("readable");
    assert_eq!(table.len(), 3);
    assert_eq!(table.headers().last().map(String::as_str), Some("ERROR"));
    let v = validate(&table);
    assert!(v.problems.iter().all(|p| !p.is_error()), "{:?}", v.problems);
    assert_eq!(table.text(0, Column::Note), "a");
    assert!(
        !out.contains(",=HYPERLINK"),
        "a message never runs as a formula: {out}"
    );
    assert_eq!(failed_rows([]), "");
}

#[test]
fn a_bulk_change_is_a_file_that_checks_and_plans_as_its_operation() {
    let numbers: Vec<String> = (0..25).map(|i| format!("+1303555{i:04}")).collect();
    let limits = Limits::default();
    for (change, op, column, value) in [
        (BulkChange::Delete, Operation::Delete, None, ""),
        (BulkChange::Detach, Operation::Detach, None, ""),
        (
            BulkChange::Note("=1+1 moved"),
            Operation::Update,
            Some(Column::Note),
            "=1+1 moved",
        ),
        (
            BulkChange::Note(" "),
            Operation::Update,
            Some(Column::Note),
            "<NULL>",
        ),
        (
            BulkChange::Group("ocp-qa"),
            Operation::Update,
            Some(Column::GroupId),
            "ocp-qa",
        ),
    ] {
        let text = bulk_file(change, &numbers);
        let table = read(text.as_bytes()).expect("readable");
        let v = validate(&table);
        assert!(
            v.problems.iter().all(|p| !p.is_error()),
            "{change:?}: {:?}",
            v.problems
        );
        assert_eq!(v.counts.get(op), 25, "{change:?}");
        let plan = plan(&v, &limits).expect("plans");
        assert_eq!(
            plan.batches.len(),
            25usize.div_ceil(limits.get(op)),
            "{change:?}"
        );
        if let Some(c) = column {
            assert_eq!(table.text(3, c), value, "{change:?}");
        }
    }
}
