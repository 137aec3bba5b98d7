from refactor_app.cli import main

main()
