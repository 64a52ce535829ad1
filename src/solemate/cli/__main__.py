from solemate.cli import main

main()
