from sample_px_app.cli import main

raise SystemExit(main())
