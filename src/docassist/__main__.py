from docassist.cli import main

raise SystemExit(main())
