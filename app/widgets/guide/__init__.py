"""The crash course inside the app.

sections.py   the course's sections in its order, read from course.txt (text, formula lines, Show me actions), with
              the engine registries' formulas as HTML
show_me.py    what each Show me does to the window (tab, page, playground lesson, step), through the model
dock.py       GuideDock (`courseGuide`): section list, text, Show me buttons, progress kept in the settings
lesson.py     a teacher's lesson in a project (preset, section, note): its dialog and applying it on Open
install.py    install(window, settings): the dock, Help > Crash course's action, the first-start offer
"""
