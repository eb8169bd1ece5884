from aitraining.cli.main import main

raise SystemExit(main())
